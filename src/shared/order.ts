// Code-unit string order: the one comparator every sort in the pipeline uses, so the
// output never depends on the machine's locale (`localeCompare` would) and two runs,
// anywhere, list things in the same order (STYLE.md habit 4).

/** Orders strings by UTF-16 code unit, as `Array.prototype.sort()` does with no comparator. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
