// Reviewer views of IovIter states: a timeline row per segment of the iterator (consumed, current, ahead; what
// the last extraction returned), differences in kernel terms, and sequence-diagram arrows.

import type { BindingView, TimelineRow } from '../binding.js';
import type { TlaValue } from '../../tla/value.js';
import { actionArg as arg, elems, get, ints, num, pathParts, str } from './view_values.js';

function timeline(vars: ReadonlyMap<string, TlaValue>): TimelineRow[] {
  const layout = vars.get('layout');
  const iter = vars.get('iter');
  const xtr = vars.get('xtr');
  const segs = elems(get(layout, 'segs'));
  const nrSegs = num(get(iter, 'nrSegs'));
  const iovOffset = num(get(iter, 'iovOffset')) ?? 0;
  const current = nrSegs !== undefined ? segs.length - nrSegs : undefined;
  const pages = ints(get(xtr, 'pages'));
  const ret = num(get(xtr, 'ret'));
  const extracted = ret !== undefined && pages.length > 0 ? `last extraction: ret ${ret}, offset0 ${num(get(xtr, 'offset0')) ?? '?'}, pages ${pages.join(' ')}` : undefined;
  if (segs.length === 0) {
    return [{ key: 'buffer', cell: { owner: str(get(layout, 'type')) ?? '?', holders: ['iter'], detail: `count ${num(get(iter, 'count')) ?? '?'}${extracted !== undefined ? `; ${extracted}` : ''}` } }];
  }
  return segs.map((s, k) => {
    const addr = num(get(s, 'addr'));
    const page = num(get(s, 'page'));
    const len = num(get(s, 'len')) ?? 0;
    const where = addr !== undefined ? `addr ${addr}` : page !== undefined ? `page ${page} off ${num(get(s, 'offset')) ?? 0}` : '';
    const state = current === undefined ? '' : k < current ? 'consumed' : k === current ? `current, iov_offset ${iovOffset}` : 'ahead';
    return {
      key: `seg ${k}`,
      cell: {
        owner: `${str(get(layout, 'type')) ?? '?'} seg ${k}`,
        holders: k === current ? ['iter'] : [],
        free: current !== undefined && k < current,
        detail: [`${where} len ${len}`, state, k === current && extracted !== undefined ? extracted : ''].filter((x) => x !== '').join('; '),
      },
    };
  });
}

function describePath(path: string): string {
  const [root, a] = pathParts(path);
  switch (root) {
    case 'iter':
      return a === 'count' ? 'i->count' : a === 'nrSegs' ? 'i->nr_segs' : a === 'iovOffset' ? 'i->iov_offset' : 'the iterator';
    case 'xtr':
      return a === 'ret' ? "iov_iter_extract_pages()'s return value" : a === 'offset0' ? 'the offset into the first page (offset0)' : a === 'pages' ? 'the extracted page list' : `the last extraction's ${String(a ?? 'result')}`;
    case 'fwd':
      return `the last advance/revert${a !== undefined ? `'s ${String(a)}` : ''}`;
    case 'layout':
      return 'the iterator as built';
    default:
      return path;
  }
}

export const iovIterView: BindingView<unknown> = {
  timeline,
  describePath,
  participants: ['task', 'iter', 'mm'],
  message(a) {
    switch (a.name) {
      case 'Init':
        return { from: 'task', to: 'iter', label: 'iov_iter_init' };
      case 'Advance':
        return { from: 'task', to: 'iter', label: `iov_iter_advance ${arg(a, 'n')}` };
      case 'Revert':
        return { from: 'task', to: 'iter', label: `iov_iter_revert ${arg(a, 'n')}` };
      case 'Extract':
        return { from: 'task', to: 'iter', label: `iov_iter_extract_pages maxsize ${arg(a, 'maxsize')} maxpages ${arg(a, 'maxpages')}` };
      default:
        return { from: 'task', to: 'iter', label: a.name };
    }
  },
};

/** Which part of each violated IovIter invariant fails, in the terms of the last call (KERNEL.md §G). */
export function iovIterReasons(names: readonly string[], vars: ReadonlyMap<string, TlaValue>): { invariant: string; detail: string }[] {
  const xtr = vars.get('xtr');
  const iter = vars.get('iter');
  const ret = num(get(xtr, 'ret'));
  const call = `iov_iter_extract_pages(maxsize ${num(get(xtr, 'maxsize')) ?? '?'}, maxpages ${num(get(xtr, 'maxpages')) ?? '?'}) with count ${num(get(xtr, 'countBefore')) ?? '?'} returned ${ret ?? str(get(xtr, 'errno')) ?? '?'}, offset0 ${num(get(xtr, 'offset0')) ?? '?'}, pages [${ints(get(xtr, 'pages')).join(', ')}]`;
  const now = `count now ${num(get(iter, 'count')) ?? '?'}, nr_segs ${num(get(iter, 'nrSegs')) ?? '?'}`;
  const part: Readonly<Record<string, string>> = {
    TypeOK: 'a variable is outside its type',
    ExtractContractInv: `${call}; ${now}: 0 ≤ offset0 < PAGE_SIZE, ret ≤ min(maxsize, count), the page list's shape or "count drops by ret" fails`,
    ExtractCoversStreamInv: `${call}: the bytes the pages and offset0 describe are not the iterator's next ${ret ?? '?'} bytes`,
    NoStallInv: `${call}; ${now}: a kernel-backed extraction returned 0 with bytes left and maxsize > 0, or count > 0 with no segment left`,
    RevertRestoresInv: `the revert of exactly the last move's bytes did not put the iterator back where that move started (${now})`,
    PositionConsistentInv: `position + count is no longer the length the iterator was built with (${now})`,
    ExtractPagesExactInv: `${call}: the page list is not exactly the pages the ${ret ?? '?'} bytes touch (DIV_ROUND_UP(offset0 + ret, PAGE_SIZE) entries, each the page of its first byte)`,
    PageArrayBoundInv: `${call}: it wrote past its page array of ${num(get(xtr, 'cap')) ?? '?'} entries (none when *pages is NULL)`,
    AllocFailCleanInv: `${call} after the page-array allocation failed: it must return -ENOMEM and take nothing`,
    AdvanceRevertInverseInv: `the revert of the last move did not give back the iterator's fields as they were before it (${now})`,
    RevertWithinConsumedInv: `some iov_iter_revert() of at most the bytes consumed so far BUG()s, walks off the front or does not give back exactly its bytes (${now})`,
    ExtractErrnoInv: `${call}: the wrong error for the case (0 when nothing asked, -EFAULT for DISCARD or a user pin of no page, -ENOMEM only without a page array)`,
    ExtractMaximalInv: `${call}: it stopped short for no reason a kernel iterator has (maxsize, a full page array, the element's end, an xarray hole; for the v6.12 bvec walk also a chunk that does not end its page, or a bvec after it that starts mid-page or is empty)`,
    HistoryRecordsInv: `the history records do not say what happened (${now}): a forward move not recorded as one with the bytes the count lost, or a revert marked as undoing the last move in one record and not the other`,
  };
  return names.map((invariant) => ({ invariant, detail: part[invariant] ?? `the implementation's checker flags ${invariant}` }));
}
