//! A list kept in chunks of a fixed size: growing it never moves what it holds, so a long
//! event log costs no reallocation copies (a `Vec` grown by an eighth at a time copies
//! itself about eight times over), and at most one chunk is partly empty.

use std::ops::Index;

/// Elements per chunk (the first chunk grows up to it, so a short list stays small).
const CHUNK: usize = 1 << 16;

/// A list of `T` in chunks (see the module docs), indexed like a slice.
#[derive(Clone, Debug, PartialEq)]
pub struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Chunked<T> {
    /// The number of elements.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when it holds nothing.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The element at `i`.
    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    /// The element at `i`, to change.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        self.chunks.get_mut(i / CHUNK)?.get_mut(i % CHUNK)
    }

    /// The first element.
    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    /// The last element.
    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// Adds `value` at the end.
    pub fn push(&mut self, value: T) {
        match self.chunks.last_mut() {
            Some(c) if c.len() < CHUNK => c.push(value),
            _ => {
                let mut c = Vec::with_capacity(if self.chunks.is_empty() { 64 } else { CHUNK });
                c.push(value);
                self.chunks.push(c);
            }
        }
        self.len += 1;
    }

    /// Empties the list, keeping its first chunk's memory for what is pushed next.
    pub fn clear(&mut self) {
        self.chunks.truncate(1);
        if let Some(c) = self.chunks.first_mut() {
            c.clear();
        }
        self.len = 0;
    }

    /// The elements in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &T> + Clone {
        self.chunks.iter().flatten()
    }

    /// The elements in order, to change.
    pub fn iter_mut(&mut self) -> impl DoubleEndedIterator<Item = &mut T> {
        self.chunks.iter_mut().flatten()
    }

    /// The index of the first element for which `pred` is false, the list being partitioned
    /// by it (all true, then all false), as `slice::partition_point`.
    pub fn partition_point(&self, mut pred: impl FnMut(&T) -> bool) -> usize {
        let whole = self
            .chunks
            .partition_point(|c| c.last().is_some_and(&mut pred));
        match self.chunks.get(whole) {
            Some(c) => whole * CHUNK + c.partition_point(pred),
            None => self.len,
        }
    }
}

/// Runs of `T` (each a contiguous slice, as an event's payload) kept one after another in
/// chunks: a run never straddles two chunks, and growing never moves what is stored.
#[derive(Clone, Debug, PartialEq)]
pub struct Runs<T> {
    chunks: Vec<Vec<T>>,
}

impl<T> Default for Runs<T> {
    fn default() -> Self {
        Self { chunks: Vec::new() }
    }
}

impl<T> Runs<T> {
    /// The index just past the last run (an upper bound of the indices handed out).
    pub fn end(&self) -> usize {
        self.chunks
            .last()
            .map_or(0, |c| (self.chunks.len() - 1) * CHUNK + c.len())
    }

    /// Adds up to `n` values as one run (a new chunk when the last has no room for them all,
    /// one of their own when they are more than a chunk holds); returns the index of its
    /// first and how many there were.
    pub fn push_run(&mut self, n: usize, values: impl IntoIterator<Item = T>) -> (usize, usize) {
        let fits = self.chunks.last().is_some_and(|c| c.len() + n <= CHUNK);
        if !fits {
            let size = if self.chunks.is_empty() {
                n.next_power_of_two().max(64)
            } else {
                n.max(CHUNK)
            };
            self.chunks.push(Vec::with_capacity(size));
        }
        let last = self.chunks.len() - 1;
        let c = &mut self.chunks[last];
        let before = c.len();
        c.extend(values.into_iter().take(n));
        (last * CHUNK + before, c.len() - before)
    }

    /// Empties it, keeping its first chunk's memory for what is pushed next.
    pub fn clear(&mut self) {
        self.chunks.truncate(1);
        if let Some(c) = self.chunks.first_mut() {
            c.clear();
        }
    }

    /// The run of `len` values from index `start` (empty if there is none).
    pub fn run(&self, start: usize, len: usize) -> &[T] {
        self.chunks
            .get(start / CHUNK)
            .and_then(|c| c.get(start % CHUNK..start % CHUNK + len))
            .unwrap_or(&[])
    }
}

impl<T> Index<usize> for Chunked<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

impl<'a, T> IntoIterator for &'a Chunked<T> {
    type Item = &'a T;
    type IntoIter = std::iter::Flatten<std::slice::Iter<'a, Vec<T>>>;

    fn into_iter(self) -> Self::IntoIter {
        self.chunks.iter().flatten()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_keep_their_index_across_chunks() {
        let mut c = Chunked::default();
        let n = 2 * CHUNK + 5;
        for i in 0..n {
            c.push(i);
        }
        assert_eq!(c.len(), n);
        assert_eq!((c[0], c[CHUNK], c[n - 1]), (0, CHUNK, n - 1));
        assert_eq!(
            (c.first(), c.last(), c.get(n)),
            (Some(&0), Some(&(n - 1)), None)
        );
        assert!(c.iter().copied().eq(0..n));
        assert!(c.iter().rev().copied().eq((0..n).rev()));
        for at in [0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK, n - 1, n] {
            assert_eq!(c.partition_point(|&x| x < at), at, "{at}");
        }
        assert_eq!(Chunked::<u8>::default().partition_point(|_| true), 0);
    }

    #[test]
    fn a_run_stays_in_one_chunk() {
        let mut r = Runs::default();
        let (a, three) = r.push_run(3, [1, 2, 3]);
        let mut filler = 3;
        while r.end() + 10 <= CHUNK {
            r.push_run(10, std::iter::repeat_n(0, 10));
            filler += 10;
        }
        // Not enough room left in the first chunk: the run starts the next one.
        let (b, _) = r.push_run(10, 100..110);
        assert_eq!((a, three, filler < CHUNK, b), (0, 3, true, CHUNK));
        let (big, _) = r.push_run(CHUNK + 1, std::iter::repeat_n(7, CHUNK + 1));
        let (after, two) = r.push_run(5, [8, 9]);
        assert_eq!(two, 2, "fewer values than asked for");
        assert_eq!((big, after), (2 * CHUNK, 3 * CHUNK));
        assert_eq!(r.run(a, 3), &[1, 2, 3]);
        assert!(r.run(b, 10).iter().copied().eq(100..110));
        assert_eq!(r.run(big, CHUNK + 1).len(), CHUNK + 1);
        assert_eq!(r.run(after, 2), &[8, 9]);
        assert!(r.run(after, 3).is_empty() && r.run(9 * CHUNK, 1).is_empty());
    }
}
