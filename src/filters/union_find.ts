/**
 * Union-find (disjoint sets) over dense label ids, for connected components within a chunk and
 * across chunks: union keeps the smaller id as root, so roots are each set's first label and
 * `lookupTable()` numbers sets in order of their smallest id.
 * @module
 */

/** Disjoint sets over ids 0..size-1; id 0 is conventionally the background. */
export class UnionFind {
  /** parent[i] = i for a root. Grows on demand. */
  parent: Uint32Array;
  /** Number of ids in use. */
  size: number;

  /**
   * @param size number of ids, each its own set
   * @example
   * ```ts
   * const sets = new UnionFind(5);
   * sets.union(3, 1);
   * sets.find(3); // 1
   * ```
   */
  constructor(size = 0) {
    this.parent = new Uint32Array(Math.max(16, size));
    for (let i = 0; i < this.parent.length; i++) this.parent[i] = i;
    this.size = size;
  }

  /**
   * Add one id as its own set.
   * @returns the new id
   */
  add(): number {
    if (this.size === this.parent.length) this.grow(this.size * 2);
    return this.size++;
  }

  /** Make room for ids below `capacity`, each new one its own set. */
  grow(capacity: number): void {
    if (capacity <= this.parent.length) return;
    const parent = new Uint32Array(capacity);
    parent.set(this.parent);
    for (let i = this.parent.length; i < capacity; i++) parent[i] = i;
    this.parent = parent;
  }

  /**
   * Root of the set holding `id` (with path halving).
   * @param id an id below `size`
   * @returns the root, the smallest id of the set
   */
  find(id: number): number {
    const parent = this.parent;
    let node = id;
    while (parent[node]! !== node) {
      const grand = parent[parent[node]!]!;
      parent[node] = grand;
      node = grand;
    }
    return node;
  }

  /**
   * Merge the sets holding `a` and `b`.
   * @returns the root of the merged set (the smaller root)
   */
  union(a: number, b: number): number {
    const rootA = this.find(a);
    const rootB = this.find(b);
    if (rootA === rootB) return rootA;
    if (rootA < rootB) {
      this.parent[rootB] = rootA;
      return rootA;
    }
    this.parent[rootA] = rootB;
    return rootB;
  }

  /**
   * Union every pair of a flat `[a0, b0, a1, b1, …]` list (e.g. from `chunkEquivalences`).
   * @param pairs the pairs; ids beyond `size` extend it
   */
  unionPairs(pairs: Uint32Array): void {
    for (let i = 0; i + 1 < pairs.length; i += 2) {
      const a = pairs[i]!, b = pairs[i + 1]!;
      const needed = Math.max(a, b) + 1;
      if (needed > this.size) {
        this.grow(Math.max(needed, this.parent.length * 2));
        this.size = needed;
      }
      this.union(a, b);
    }
  }

  /**
   * Final labels: `table[id]` is 1..n numbered in order of each set's smallest id, with
   * `table[0] = 0` (background stays background).
   * @returns the lookup table (length `size`) and the number of sets n (excluding id 0)
   */
  lookupTable(): { table: Uint32Array; count: number } {
    const table = new Uint32Array(Math.max(this.size, 1));
    const parent = this.parent;
    let count = 0;
    for (let id = 1; id < this.size; id++) {
      const root = this.find(id);
      // Roots are smallest ids, so a non-root's root was numbered already.
      table[id] = root === id ? ++count : table[root]!;
      parent[id] = root;
    }
    return { table, count };
  }
}
