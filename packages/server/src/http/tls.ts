/**
 * TLS material for the listener: PEM files from --tls-cert/--tls-key, or a certificate generated at
 * start (`--tls-self-signed`) for localhost, 127.0.0.1 and ::1 (works offline; clients must skip
 * verification or trust the printed fingerprint).
 */
import { readFile } from 'node:fs/promises';
import { generate } from 'selfsigned';
import type { TlsConfig } from '../config/server-config.js';

export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** SHA-1 fingerprint of a generated certificate (undefined for files). */
  readonly fingerprint?: string | undefined;
}

/** Error reading or generating TLS material; `cause` holds the underlying failure. */
export class TlsSetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TlsSetupError';
  }
}

export async function generateSelfSignedCertificate(): Promise<TlsMaterial> {
  const now = new Date();
  const result = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3600 * 1000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: [
          { type: 2, value: 'localhost' },
          { type: 7, ip: '127.0.0.1' },
          { type: 7, ip: '::1' },
        ],
      },
    ],
  });
  return { cert: result.cert, key: result.private, fingerprint: result.fingerprint };
}

export async function loadTlsMaterial(tls: TlsConfig): Promise<TlsMaterial> {
  if (tls.mode === 'self-signed') {
    try {
      return await generateSelfSignedCertificate();
    } catch (cause) {
      throw new TlsSetupError('could not generate a self-signed certificate', { cause });
    }
  }
  try {
    const [cert, key] = await Promise.all([readFile(tls.certFile, 'utf8'), readFile(tls.keyFile, 'utf8')]);
    return { cert, key };
  } catch (cause) {
    throw new TlsSetupError(`could not read --tls-cert ${tls.certFile} / --tls-key ${tls.keyFile}`, { cause });
  }
}
