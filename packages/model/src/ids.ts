/**
 * A random URL-safe id (about 72 bits), usable as a document name segment and a map key. It
 * starts with a letter or digit, so an exported id never reads as a spreadsheet formula
 * (`-…`) or a command-line option.
 */
export function newId(): string {
  const bytes = new Uint8Array(12);
  crypto.getRandomValues(bytes);
  let s = ALPHANUMERIC[bytes[0]! % ALPHANUMERIC.length]!;
  for (const b of bytes.subarray(1)) s += ALPHABET[b & 63];
  return s;
}

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const ALPHABET = `${ALPHANUMERIC}-_`;
