// Colour only for a person at a terminal: never when output is piped, in CI
// (logs keep escape codes as noise), or when NO_COLOR is set (https://no-color.org).

export function useColor(stream: { readonly isTTY?: boolean }, env: NodeJS.ProcessEnv = process.env): boolean {
  if (!stream.isTTY) return false;
  if (env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '') return false;
  if (env['CI'] !== undefined && env['CI'] !== '' && env['CI'] !== 'false' && env['CI'] !== '0') return false;
  return true;
}
