// copy_to_iter() / copy_from_iter() over a byte-addressed page store, and the walk both use: the next n bytes of
// an iterator as (page, offset, len) pieces. The invariant checker uses the same walk to describe the stream.

import { assertNever, folioqFolioSize, iovIterAdvance, xaLoad, type FolioQueue, type IovIter } from './iov_iter.js';

/** A piece of the iterator's memory inside one page. */
export interface PagePiece {
  readonly page: number;
  readonly offset: number;
  readonly len: number;
}

/** Split `len` bytes starting at byte `at` of a run of contiguous pages beginning with `firstPage`. */
function splitRun(firstPage: number, at: number, len: number, ps: number, out: (p: PagePiece) => void): void {
  while (len > 0) {
    const page = firstPage + Math.floor(at / ps);
    const offset = at % ps;
    const part = Math.min(len, ps - offset);
    out({ page, offset, len: part });
    at += part;
    len -= part;
  }
}

/**
 * The next `n` bytes of the iterator (clamped to its count) as page pieces, without moving the iterator.
 * Returns the number of bytes walked: less than asked only at an xarray hole.
 */
export function iterPieces(i: IovIter, n: number, out: (p: PagePiece) => void): number {
  const ps = i.pageSize;
  n = Math.min(n, i.count);
  switch (i.type) {
    case 'UBUF':
      splitRun(0, i.ubuf + i.iovOffset, n, ps, out);
      return n;
    case 'IOVEC':
    case 'KVEC':
    case 'BVEC': {
      let left = n;
      let skip = i.iovOffset;
      for (let k = i.cur; left > 0 && k < i.cur + i.nrSegs; k++, skip = 0) {
        const seg = i.segs[k];
        if (seg === undefined) break;
        const part = Math.min(left, seg.len - skip);
        if (part <= 0) continue;
        if ('page' in seg) splitRun(seg.page, seg.offset + skip, part, ps, out);
        else splitRun(0, seg.addr + skip, part, ps, out);
        left -= part;
      }
      return n - left;
    }
    case 'FOLIOQ': {
      // iterate_folioq(): from the current slot (the next segment's first when past this one's last), page by page
      let q: FolioQueue | undefined = i.folioq;
      let slot = i.folioqSlot;
      let skip = i.iovOffset;
      let done = 0;
      while (done < n && q !== undefined) {
        if (slot >= q.nrSlots) {
          q = q.next;
          slot = 0;
          continue;
        }
        const folio = q.folios[slot];
        if (folio === undefined) break;
        const fsize = folioqFolioSize(q, slot, ps);
        const part = Math.min(n - done, fsize - skip);
        if (part > 0) splitRun(folio.page, skip, part, ps, out);
        done += Math.max(part, 0);
        skip = 0;
        slot++;
      }
      return done;
    }
    case 'XARRAY': {
      let done = 0;
      let pos = i.xarrayStart + i.iovOffset;
      while (done < n) {
        const page = xaLoad(i.xarray, Math.floor(pos / ps));
        if (page === undefined) break;
        const offset = pos % ps;
        const part = Math.min(n - done, ps - offset);
        out({ page, offset, len: part });
        done += part;
        pos += part;
      }
      return done;
    }
    case 'DISCARD':
      return n;
    case 'PIPE':
      // A pipe iterator's memory does not exist until it is written: copy_pipe_to_iter() appends pages as it
      // copies (appendPipe in pipe.ts). There is nothing to walk in advance.
      return 0;
    default:
      return assertNever(i);
  }
}

/** Page contents by page id, zero-filled on first touch. */
export interface PageStore {
  readonly pageSize: number;
  page(id: number): Uint8Array;
}

export function makePageStore(pageSize: number): PageStore {
  const pages = new Map<number, Uint8Array>();
  return {
    pageSize,
    page(id) {
      let p = pages.get(id);
      if (p === undefined) {
        p = new Uint8Array(pageSize);
        pages.set(id, p);
      }
      return p;
    },
  };
}

/** copy_to_iter(): copy `bytes` of `from` into the iterator's memory; a SOURCE iterator WARNs and copies nothing. */
export function copyToIter(from: Uint8Array, bytes: number, i: IovIter, mem: PageStore): number {
  if (i.dataSource === 'SOURCE') return 0;
  let at = 0;
  const copied = iterPieces(i, Math.min(bytes, from.length), (p) => {
    if (i.type !== 'DISCARD') mem.page(p.page).set(from.subarray(at, at + p.len), p.offset);
    at += p.len;
  });
  iovIterAdvance(i, copied);
  return copied;
}

/** copy_from_iter(): copy `bytes` of the iterator's memory into `to`; a DEST iterator WARNs and copies nothing. */
export function copyFromIter(to: Uint8Array, bytes: number, i: IovIter, mem: PageStore): number {
  if (i.dataSource === 'DEST') return 0;
  let at = 0;
  const copied = iterPieces(i, Math.min(bytes, to.length), (p) => {
    to.set(mem.page(p.page).subarray(p.offset, p.offset + p.len), at);
    at += p.len;
  });
  iovIterAdvance(i, copied);
  return copied;
}
