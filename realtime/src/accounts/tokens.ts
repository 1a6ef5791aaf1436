import crypto from 'node:crypto';

/** A secret for a cookie or API token: 256 random bits, URL-safe. */
export function newSecret(prefix = ''): string {
  return prefix + crypto.randomBytes(32).toString('base64url');
}

/** Only hashes of secrets are stored, so a copy of the database opens no session. */
export function hashSecret(secret: string): string {
  return crypto.createHash('sha256').update(secret).digest('base64url');
}
