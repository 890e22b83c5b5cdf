/** Public API of @shardline/server. */
export { createApp, kinesisSettingsFrom } from './app.js';
export type { App, AppOptions } from './app.js';
export { runServe } from './main.js';
export { runKeys } from './security/keys-command.js';
export type { KeysIo } from './security/keys-command.js';
export type { ServeIo } from './main.js';
export type { ServerConfig, TlsConfig } from './config/server-config.js';
export { ConfigError, defaultServerConfig } from './config/server-config.js';
export { parseServeCommand, serveHelpText, serveOptionsHelp } from './config/serve-options.js';
export type { ServeCommand } from './config/serve-options.js';
