// One self-contained HTML page for a reviewer: the variant × invariant matrix and, per counterexample, the
// page-lifetime timeline (timeline.ts). No network, no external script or style: everything is inline, the data
// for the step details is embedded as JSON, and the page works from a file:// URL.

import type { ReviewReport } from './matrix.js';
import type { LaneCell, Timeline, TimelineLane } from './timeline.js';

const esc = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

/** JSON safe inside a <script> element. */
const scriptJson = (v: unknown): string =>
  JSON.stringify(v).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1f23;background:#fff}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:2em}h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse}
.matrix td,.matrix th{border:1px solid #ccd;padding:2px 8px;text-align:center}
.matrix td.violated{background:#fdd}.matrix td.holds{background:#efe}.matrix tr.final th{font-weight:bold}
.timeline{margin:.4em 0;overflow-x:auto}
.timeline table td,.timeline table th{border:1px solid #dde;padding:3px 5px;vertical-align:top;font-size:12px;min-width:7em}
.timeline th.step{cursor:pointer;background:#f3f5f8;white-space:nowrap}
.timeline th.step:hover,.timeline th.step.selected{background:#dbe8ff}
.timeline th.step.violating,.timeline td.violating{outline:3px solid #d00;outline-offset:-3px}
.timeline th.step.refused{background:#ffe7c2}
.timeline td.free{background:#eee;color:#666}.timeline td.reallocated{background:#ffe7c2}
.timeline td.gone{background:repeating-linear-gradient(45deg,#fafafa,#fafafa 4px,#eee 4px,#eee 8px)}
.badge{display:inline-block;border-radius:3px;padding:0 4px;margin:1px;font-size:11px;background:#e8eaf0}
.badge.free{background:#999;color:#fff}.badge.realloc{background:#e67e00;color:#fff}.badge.pin{background:#2a6fdb;color:#fff}
.holder{display:block;color:#0b5}.detail{display:block;color:#666}
.violation{border-left:4px solid #d00;background:#fff3f3;padding:4px 8px;margin:.3em 0}
.details{border:1px solid #ccd;background:#fafbfd;padding:6px 10px;margin:.4em 0;min-height:2em;font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap}
.summary{color:#333;margin:.3em 0}
.legend{color:#555;font-size:12px}
`;

// The page's only script: a click (or Enter) on a step column shows that step's action, arguments and narration.
const SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('iterpin-data').textContent);
  function show(laneEl, k) {
    var lane = data[laneEl.getAttribute('data-lane')];
    var step = lane.steps[k];
    var out = laneEl.querySelector('.details');
    var args = Object.keys(step.args).map(function (a) { return '  ' + a + ' = ' + step.args[a]; }).join('\\n');
    var text = 'step ' + step.index + ': ' + step.action + '\\n' + (args ? 'arguments:\\n' + args + '\\n' : '') +
      (step.narration.length ? step.narration.join('\\n') + '\\n' : '') +
      (step.refused ? 'REFUSED: ' + step.refused + '\\n' : '') +
      (step.violated.length ? 'violates ' + step.violated.join(', ') + '\\n' : '');
    out.textContent = text;
    out.setAttribute('data-step', String(step.index));
    laneEl.querySelectorAll('th.step').forEach(function (th) {
      th.classList.toggle('selected', th.getAttribute('data-step') === String(step.index));
    });
  }
  document.querySelectorAll('.lane').forEach(function (laneEl) {
    laneEl.querySelectorAll('th.step').forEach(function (th) {
      var k = Number(th.getAttribute('data-k'));
      th.addEventListener('click', function () { show(laneEl, k); });
      th.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); show(laneEl, k); } });
    });
  });
})();
`;

function cellHtml(c: LaneCell | null | undefined, violating: boolean, refused: boolean): string {
  if (c === null || c === undefined) {
    return `<td class="gone${violating ? ' violating' : ''}">${refused ? 'refused' : ''}</td>`;
  }
  const cls = [c.reallocated === true ? 'reallocated' : c.free === true ? 'free' : '', violating ? 'violating' : ''].filter((x) => x !== '');
  const parts: string[] = [];
  if (c.owner !== undefined && !(c.free === true && c.owner === 'free')) parts.push(`<b>${esc(c.owner)}</b>`);
  if (c.refcount !== undefined) parts.push(`<span class="badge" title="refcount">ref ${c.refcount}</span>`);
  if (c.pincount !== undefined && c.pincount > 0) parts.push(`<span class="badge pin" title="pins (GUP bias)">pin ${c.pincount}</span>`);
  if (c.free === true) parts.push('<span class="badge free">free</span>');
  if (c.reallocated === true) parts.push('<span class="badge realloc">reallocated</span>');
  for (const h of c.holders ?? []) parts.push(`<span class="holder">${esc(h)}</span>`);
  if (c.detail !== undefined) parts.push(`<span class="detail">${esc(c.detail)}</span>`);
  return `<td${cls.length > 0 ? ` class="${cls.join(' ')}"` : ''}>${parts.join(' ')}</td>`;
}

function laneHtml(lane: TimelineLane, laneId: string): string {
  const v = lane.violation;
  const head = lane.steps
    .map((s, k) => {
      const cls = ['step', v?.step === s.index ? 'violating' : '', s.refused !== undefined ? 'refused' : ''].filter((x) => x !== '').join(' ');
      return `<th class="${cls}" data-step="${s.index}" data-k="${k}" tabindex="0" title="${esc(s.action)}">${s.index}<br>${esc(s.name)}</th>`;
    })
    .join('');
  const rows = lane.rows
    .map((r) => {
      const cells = lane.steps.map((s, k) => cellHtml(r.cells[k], v?.step === s.index, s.refused !== undefined)).join('');
      return `<tr class="page" data-key="${esc(r.key)}"><th>${esc(r.key)}</th>${cells}</tr>`;
    })
    .join('\n');
  const violation =
    v !== undefined
      ? `<div class="violation" data-step="${v.step}">step ${v.step}: <b>${esc(v.invariant)}</b> fails — ${esc(v.detail)}</div>`
      : '';
  const refused = lane.steps.find((s) => s.refused !== undefined);
  return `<div class="lane" data-lane="${laneId}" data-variant="${esc(lane.variant)}">
<h3>${esc(lane.variant)} <small>(${esc(lane.role)})</small></h3>
<div class="timeline"><table><thead><tr><th>page</th>${head}</tr></thead>
<tbody>
${rows}
</tbody></table></div>
${violation}${refused !== undefined ? `<div class="violation refusal">step ${refused.index}: ${esc(lane.variant)} refuses ${esc(refused.action)} — ${esc(refused.refused ?? '')}</div>` : ''}
<div class="details" aria-live="polite">Select a step (a column header) to see its action, arguments and narration.</div>
</div>`;
}

function matrixHtml(report: ReviewReport): string {
  return report.specs
    .map((spec) => {
      const head = `<tr><th>variant</th>${spec.invariants.map((i) => `<th>${esc(i)}</th>`).join('')}<th>manifest</th></tr>`;
      const rows = spec.rows
        .map((r) => {
          const cells = r.cells
            .map((c) => {
              const text = c.status === 'holds' ? '✓' : c.status === 'violated' ? `✗ ${c.length ?? '?'}` : c.status;
              const link = c.status === 'violated' ? `<a href="#cx-${esc(anchor(spec.spec, r.variant, c.invariant))}">${text}</a>` : text;
              return `<td class="${c.status}" title="${esc(c.onFinal?.summary ?? '')}">${link}</td>`;
            })
            .join('');
          return `<tr class="${r.final ? 'final' : ''}"><th>${esc(r.variant)}${r.final ? ' *' : ''}</th>${cells}<td>${r.agrees ? 'agrees' : '<b>DISAGREES</b>'}</td></tr>`;
        })
        .join('\n');
      return `<h2>${esc(spec.spec)} <small>(final design ${esc(spec.finalVariant)})</small></h2>\n<table class="matrix">${head}\n${rows}</table>`;
    })
    .join('\n');
}

/** The anchor of a counterexample's timeline in a review page. */
export function anchor(spec: string, variant: string, invariant: string): string {
  return `${spec}-${variant}-${invariant}`.replace(/[^A-Za-z0-9_-]+/g, '_');
}

export function renderHtml(title: string, timelines: readonly Timeline[], matrix?: ReviewReport): string {
  const data: Record<string, unknown> = {};
  const sections = timelines
    .map((t, i) => {
      const lanes = t.lanes
        .map((lane, j) => {
          const id = `l${i}_${j}`;
          data[id] = { variant: lane.variant, steps: lane.steps };
          return laneHtml(lane, id);
        })
        .join('\n');
      return `<section class="cx" id="cx-${esc(t.id)}"><h2>${esc(t.spec)}: ${esc(t.title)}</h2>
${t.summary !== undefined ? `<p class="summary">${esc(t.summary)}</p>` : ''}
${lanes}</section>`;
    })
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>${esc(title)}</title><style>${STYLE}</style></head>
<body>
<h1>${esc(title)}</h1>
${matrix !== undefined ? matrixHtml(matrix) : ''}
<p class="legend">A row per page (per segment for IovIter), a column per step. ref = refcount, pin = pins counted by the GUP bias; green lines name the bio or pipe buffer holding the page; grey = free, orange = reallocated after a free; the red outline marks the step where the invariant fails. Click a step to see its action, arguments and narration.</p>
${sections}
<script type="application/json" id="iterpin-data">${scriptJson(data)}</script>
<script>${SCRIPT}</script>
</body></html>
`;
}
