/** A fresh request id (`req_` + 32 hex digits) for correlating events of one request. */
export function createRequestId(): string {
  const cryptoObject = globalThis.crypto as { randomUUID?: () => string } | undefined;
  if (cryptoObject?.randomUUID) return `req_${cryptoObject.randomUUID().replaceAll('-', '')}`;
  let hex = '';
  for (let index = 0; index < 32; index += 1) hex += Math.floor(Math.random() * 16).toString(16);
  return `req_${hex}`;
}
