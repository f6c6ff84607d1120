//! The priority queue of the searches.

/// A monotone priority queue (radix heap): Dijkstra never pushes a key below the last one
/// popped, so keys can be kept in buckets by the highest bit in which they differ from it, and
/// most pushes and pops cost a few instructions instead of a heap's logarithmic sift.
pub(super) struct RadixHeap {
    buckets: [Vec<(u64, u32)>; 65],
    last: u64,
    len: usize,
}

impl Default for RadixHeap {
    fn default() -> Self {
        RadixHeap {
            buckets: std::array::from_fn(|_| Vec::new()),
            last: 0,
            len: 0,
        }
    }
}

impl RadixHeap {
    pub(super) fn bucket(&self, k: u64) -> usize {
        64 - (k ^ self.last).leading_zeros() as usize
    }

    pub(super) fn push(&mut self, k: u64, node: u32) {
        debug_assert!(
            k >= self.last,
            "radix heap keys must not go below the last pop"
        );
        let b = self.bucket(k);
        self.buckets[b].push((k, node));
        self.len += 1;
    }

    /// Readies an emptied heap for another search, whose keys start again from zero.
    pub(super) fn restart(&mut self) {
        debug_assert_eq!(self.len, 0, "only an emptied heap restarts");
        self.last = 0;
    }

    /// Drops what is left (a search that stopped early) and readies the heap for another.
    pub(super) fn clear(&mut self) {
        if self.len > 0 {
            self.buckets.iter_mut().for_each(Vec::clear);
            self.len = 0;
        }
        self.last = 0;
    }

    pub(super) fn pop(&mut self) -> Option<(u64, u32)> {
        if self.len == 0 {
            return None;
        }
        if self.buckets[0].is_empty() {
            let i = (1..65).find(|&i| !self.buckets[i].is_empty())?;
            let items = std::mem::take(&mut self.buckets[i]);
            self.last = items.iter().map(|e| e.0).min()?;
            for (k, node) in &items {
                let b = self.bucket(*k);
                self.buckets[b].push((*k, *node));
            }
            // Give the emptied bucket its allocation back for later pushes.
            let mut items = items;
            items.clear();
            self.buckets[i] = items;
        }
        self.len -= 1;
        self.buckets[0].pop()
    }
}
