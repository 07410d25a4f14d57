/** Small helpers shared across the SDK. */

/**
 * `xs[i]`, throwing when `i` is out of range instead of returning `undefined`: for indexes the
 * caller has already bounded (parallel arrays, a found index), so a broken invariant fails loudly.
 */
export function at<T>(xs: ArrayLike<T>, i: number): T {
  const x = xs[i];
  if (x === undefined) throw new RangeError(`index ${i} out of range (length ${xs.length})`);
  return x;
}
