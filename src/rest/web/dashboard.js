// Weir dashboard: a static page that reads the REST API (docs/rest-api.md) and
// redraws every two seconds. Pages, by location hash:
//   #/                                  the jobs
//   #/jobs/<id>[/overview]              the dataflow graph and the vertices
//   #/jobs/<id>/checkpoints[/<cid>]     counts, summary, chart, history, one checkpoint's subtasks
//   #/jobs/<id>/exceptions              the failure history
//   #/jobs/<id>/configuration           the job's and the checkpoints' configuration
'use strict';

const app = document.getElementById('app');
const REFRESH_MS = 2000;
let timer = null;
// Completed checkpoints seen so far, per job, for the chart: id -> {time, duration, size}.
const chartPoints = {};

async function api(path) {
  const response = await fetch(path, {cache: 'no-store'});
  let body = null;
  try { body = await response.json(); } catch (e) { body = null; }
  if (!response.ok) {
    const message = body && body.errors ? body.errors[0] : response.status + ' ' + response.statusText;
    const error = new Error(message);
    error.status = response.status;
    throw error;
  }
  return body;
}

// el('td', {class: 'num'}, 'text', childNode, ...)
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null) continue;
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function svg(tag, attrs, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs || {})) node.setAttribute(key, value);
  for (const child of children.flat()) {
    if (child === undefined || child === null) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

function fmtBytes(b) {
  if (b === undefined || b === null || b < 0) return '-';
  if (b >= 1e9) return (b / 1e9).toFixed(1) + ' GB';
  if (b >= 1e6) return (b / 1e6).toFixed(1) + ' MB';
  if (b >= 1e3) return (b / 1e3).toFixed(1) + ' kB';
  return Math.round(b) + ' B';
}
function fmtMs(ms) {
  if (ms === undefined || ms === null || ms < 0) return '-';
  if (ms < 1000) return Math.round(ms) + ' ms';
  if (ms < 60000) return (ms / 1000).toFixed(1) + ' s';
  if (ms < 3600000) return Math.floor(ms / 60000) + ' min ' + Math.floor(ms / 1000) % 60 + ' s';
  return Math.floor(ms / 3600000) + ' h ' + Math.floor(ms / 60000) % 60 + ' min';
}
function fmtCount(n) {
  if (n >= 1e9) return (n / 1e9).toFixed(1) + ' G';
  if (n >= 1e6) return (n / 1e6).toFixed(1) + ' M';
  if (n >= 1e3) return (n / 1e3).toFixed(1) + ' k';
  return String(Math.round(n));
}
function fmtTime(epochMs) {
  if (!epochMs || epochMs <= 0) return '-';
  return new Date(epochMs).toLocaleString();
}
function state(s) { return el('span', {class: 'state ' + s}, s); }

// headers: [text | {text, num: true}], rows: [[cell...]] or [{cells, attrs}]
function table(headers, rows, attrs) {
  const head = el('tr', {}, headers.map(h => typeof h === 'string' ? el('th', {}, h)
                                                                   : el('th', {class: h.num ? 'num' : null}, h.text)));
  const body = rows.map(r => {
    const cells = Array.isArray(r) ? r : r.cells;
    return el('tr', Array.isArray(r) ? {} : r.attrs,
              cells.map((c, i) => el('td', {class: headers[i] && headers[i].num ? 'num' : null}, c)));
  });
  return el('table', attrs || {}, el('thead', {}, head), el('tbody', {}, body));
}

function show(...nodes) {
  app.replaceChildren(...nodes);
  document.getElementById('refreshed').textContent = 'updated ' + new Date().toLocaleTimeString();
}

// ---- jobs -----------------------------------------------------------------

async function jobsPage() {
  const [overview, jobs] = await Promise.all([api('/overview'), api('/jobs/overview')]);
  document.getElementById('cluster').textContent =
      'Weir ' + overview['weir-version'] + ' · ' + overview['jobs-running'] + ' running';
  const rows = jobs.jobs.map(j => ({
    cells: [el('a', {href: '#/jobs/' + j.jid}, j.name), j.jid, state(j.state), fmtTime(j['start-time']),
            fmtMs(j.duration), j.tasks.total],
    attrs: {'data-job-id': j.jid},
  }));
  show(el('h1', {}, 'Jobs'),
       rows.length ? table(['Name', 'Id', 'State', 'Started', 'Duration', {text: 'Tasks', num: true}], rows,
                           {id: 'jobs'})
                   : el('p', {class: 'note'}, 'No jobs.'));
}

// ---- one job ---------------------------------------------------------------

const TABS = ['overview', 'checkpoints', 'exceptions', 'configuration'];

async function jobPage(jobId, tab, detail) {
  const job = await api('/jobs/' + jobId);
  const header = [
    el('h1', {}, job.name, ' ', state(job.state)),
    el('div', {class: 'facts'}, el('span', {}, 'Id ', job.jid), el('span', {}, 'Started ', fmtTime(job['start-time'])),
       el('span', {}, 'Duration ', fmtMs(job.duration)), el('span', {}, 'Restarts ', job.restarts)),
    el('nav', {class: 'tabs'}, TABS.map(t => el('a', {href: '#/jobs/' + jobId + '/' + t, class: t === tab ? 'active' : null}, t))),
  ];
  let content;
  if (tab === 'checkpoints') content = await checkpointsTab(job, detail);
  else if (tab === 'exceptions') content = await exceptionsTab(job);
  else if (tab === 'configuration') content = await configurationTab(job);
  else content = await overviewTab(job);
  show(...header, ...content);
}

// Per vertex: records/s and the busiest and most backpressured subtask (ms per second).
async function vertexMetrics(job) {
  const names = 'numRecordsInPerSecond,numRecordsOutPerSecond,busyTimeMsPerSecond,backPressuredTimeMsPerSecond';
  const answers = await Promise.all(job.vertices.map(v =>
      api('/jobs/' + job.jid + '/vertices/' + v.id + '/subtasks/metrics?get=' + names + '&agg=sum,max')
          .catch(() => [])));
  const out = {};
  job.vertices.forEach((v, i) => {
    const m = {};
    for (const a of answers[i]) m[a.id] = a;
    out[v.id] = {
      inPerSecond: m.numRecordsInPerSecond ? m.numRecordsInPerSecond.sum : 0,
      outPerSecond: m.numRecordsOutPerSecond ? m.numRecordsOutPerSecond.sum : 0,
      busy: m.busyTimeMsPerSecond ? m.busyTimeMsPerSecond.max / 1000 : 0,
      backPressured: m.backPressuredTimeMsPerSecond ? m.backPressuredTimeMsPerSecond.max / 1000 : 0,
    };
  });
  return out;
}

// Flink's colours: idle tasks blue, busy tasks red, backpressured tasks dark grey;
// a vertex shows its busiest subtask's colour, darkened by its most backpressured one.
const IDLE = [166, 200, 240], BUSY = [240, 150, 150], BACKPRESSURED = [110, 110, 110];
function mix(a, b, f) { return a.map((x, i) => Math.round(x + (b[i] - x) * Math.min(1, Math.max(0, f)))); }
function vertexColour(m) {
  const rgb = mix(mix(IDLE, BUSY, m.busy), BACKPRESSURED, m.backPressured);
  return 'rgb(' + rgb.join(',') + ')';
}

function graph(job, metrics) {
  const byId = {};
  job.plan.nodes.forEach(n => { byId[n.id] = n; });
  const level = {};
  const levelOf = id => {
    if (level[id] !== undefined) return level[id];
    const inputs = (byId[id] && byId[id].inputs) || [];
    level[id] = inputs.length ? 1 + Math.max(...inputs.map(i => levelOf(i.id))) : 0;
    return level[id];
  };
  const columns = {};
  job.vertices.forEach(v => { (columns[levelOf(v.id)] = columns[levelOf(v.id)] || []).push(v.id); });
  const W = 230, H = 92, GX = 70, GY = 24;
  const pos = {};
  let maxRow = 0, maxLevel = 0;
  for (const [l, ids] of Object.entries(columns)) {
    ids.forEach((id, row) => { pos[id] = {x: 10 + l * (W + GX), y: 10 + row * (H + GY)}; maxRow = Math.max(maxRow, row); });
    maxLevel = Math.max(maxLevel, Number(l));
  }
  const width = 20 + (maxLevel + 1) * (W + GX) - GX, height = 20 + (maxRow + 1) * (H + GY) - GY;
  const edges = [], boxes = [];
  for (const v of job.vertices) {
    const p = pos[v.id];
    for (const input of (byId[v.id] && byId[v.id].inputs) || []) {
      const from = pos[input.id];
      if (!from) continue;
      const x1 = from.x + W, y1 = from.y + H / 2, x2 = p.x, y2 = p.y + H / 2;
      edges.push(svg('path', {d: `M${x1},${y1} C${x1 + GX / 2},${y1} ${x2 - GX / 2},${y2} ${x2},${y2}`, fill: 'none', stroke: '#7a8294', 'stroke-width': 1.5}));
      edges.push(svg('text', {x: (x1 + x2) / 2, y: (y1 + y2) / 2 - 4, 'text-anchor': 'middle', fill: '#4a5263'}, input.ship_strategy));
    }
    const m = metrics[v.id] || {inPerSecond: 0, outPerSecond: 0, busy: 0, backPressured: 0};
    const name = v.name.length > 34 ? v.name.slice(0, 33) + '…' : v.name;
    boxes.push(svg('g', {'data-vertex-id': v.id},
        svg('title', {}, v.name),
        svg('rect', {x: p.x, y: p.y, width: W, height: H, rx: 6, fill: vertexColour(m), stroke: '#4a5263'}),
        svg('text', {x: p.x + 8, y: p.y + 18, 'font-weight': 600}, name),
        svg('text', {x: p.x + 8, y: p.y + 36}, 'Parallelism ' + v.parallelism + ' · ' + v.status),
        svg('text', {x: p.x + 8, y: p.y + 54}, 'In ' + fmtCount(m.inPerSecond) + '/s · Out ' + fmtCount(m.outPerSecond) + '/s'),
        svg('text', {x: p.x + 8, y: p.y + 72}, 'Busy ' + Math.round(m.busy * 100) + ' % · Backpressured ' + Math.round(m.backPressured * 100) + ' %')));
  }
  return svg('svg', {width, height, id: 'job-graph'}, edges, boxes);
}

async function overviewTab(job) {
  const metrics = await vertexMetrics(job);
  const rows = job.vertices.map(v => {
    const m = metrics[v.id];
    return {cells: [v.name, v.parallelism, state(v.status), fmtCount(v.metrics['read-records']),
                    fmtCount(v.metrics['write-records']), fmtCount(m.inPerSecond) + '/s', fmtCount(m.outPerSecond) + '/s',
                    Math.round(m.busy * 100) + ' %', Math.round(m.backPressured * 100) + ' %'],
            attrs: {'data-vertex-id': v.id}};
  });
  return [
    graph(job, metrics),
    el('div', {class: 'legend note'}, 'Colour: ', el('span', {style: 'background: rgb(' + IDLE + ')'}), 'idle',
       el('span', {style: 'background: rgb(' + BUSY + ')'}), 'busy',
       el('span', {style: 'background: rgb(' + BACKPRESSURED + ')'}),
       'backpressured (the busiest or most backpressured subtask of the last 5 s)'),
    el('h2', {}, 'Vertices'),
    table(['Name', {text: 'Parallelism', num: true}, 'Status', {text: 'Records in', num: true},
           {text: 'Records out', num: true}, {text: 'In', num: true}, {text: 'Out', num: true},
           {text: 'Busy (max)', num: true}, {text: 'Backpressured (max)', num: true}], rows, {id: 'vertices'}),
  ];
}

// ---- checkpoints -------------------------------------------------------------

const SUMMARY_ROWS = [['End to end duration', 'end_to_end_duration', fmtMs], ['Checkpointed size', 'checkpointed_size', fmtBytes],
                      ['Full state size', 'state_size', fmtBytes], ['Processed during alignment', 'processed_data', fmtBytes],
                      ['Persisted in-flight data', 'persisted_data', fmtBytes]];
const QUANTILES = ['min', 'avg', 'p50', 'p90', 'p95', 'p99', 'p999', 'max'];

function chart(jobId, history) {
  const points = chartPoints[jobId] = chartPoints[jobId] || {};
  for (const h of history) {
    if (h.status === 'COMPLETED') points[h.id] = {time: h.trigger_timestamp, duration: h.end_to_end_duration, size: h.state_size};
  }
  const ids = Object.keys(points).map(Number).sort((a, b) => a - b).slice(-100);
  if (ids.length < 2) return el('p', {class: 'note'}, 'The chart appears after two completed checkpoints.');
  const W = 640, H = 180, L = 60, R = 70, T = 10, B = 30;
  const data = ids.map(id => points[id]);
  const t0 = data[0].time, t1 = data[data.length - 1].time || t0 + 1;
  const maxD = Math.max(1, ...data.map(d => d.duration)), maxS = Math.max(1, ...data.map(d => d.size));
  const x = t => L + (W - L - R) * (t - t0) / Math.max(1, t1 - t0);
  const line = (key, max) => data.map((d, i) => (i ? 'L' : 'M') + x(d.time).toFixed(1) + ',' + (T + (H - T - B) * (1 - d[key] / max)).toFixed(1)).join(' ');
  return svg('svg', {width: W, height: H, id: 'checkpoint-chart'},
      svg('rect', {x: L, y: T, width: W - L - R, height: H - T - B, fill: '#fff', stroke: '#d5d9e2'}),
      svg('path', {d: line('duration', maxD), fill: 'none', stroke: '#c0392b', 'stroke-width': 2}),
      svg('path', {d: line('size', maxS), fill: 'none', stroke: '#2457c5', 'stroke-width': 2}),
      svg('text', {x: L - 6, y: T + 10, 'text-anchor': 'end', fill: '#c0392b'}, fmtMs(maxD)),
      svg('text', {x: L - 6, y: H - B, 'text-anchor': 'end', fill: '#c0392b'}, '0'),
      svg('text', {x: W - R + 6, y: T + 10, fill: '#2457c5'}, fmtBytes(maxS)),
      svg('text', {x: L, y: H - 8}, 'checkpoints ' + ids[0] + '–' + ids[ids.length - 1] + ': duration (red) and state size (blue)'));
}

async function checkpointDetail(job, checkpointId) {
  let details;
  try {
    details = await api('/jobs/' + job.jid + '/checkpoints/details/' + checkpointId);
  } catch (e) {
    return [el('p', {class: 'note'}, 'Checkpoint ' + checkpointId + ': ' + e.message)];
  }
  const perVertex = await Promise.all(job.vertices.map(v =>
      api('/jobs/' + job.jid + '/checkpoints/details/' + checkpointId + '/subtasks/' + v.id).catch(() => null)));
  const out = [el('h2', {}, 'Checkpoint ' + checkpointId + ' ', state(details.status))];
  if (details.failure_message) out.push(el('p', {class: 'error'}, details.failure_message));
  if (details.external_path) out.push(el('p', {class: 'note'}, 'Path ', details.external_path));
  job.vertices.forEach((v, i) => {
    const s = perVertex[i];
    if (!s) return;
    out.push(el('h2', {}, v.name + ' (' + s.num_acknowledged_subtasks + '/' + s.num_subtasks + ' acknowledged)'));
    out.push(table([{text: 'Subtask', num: true}, 'Status', 'Acknowledged', {text: 'End to end', num: true},
                    {text: 'State size', num: true}, {text: 'Sync', num: true}, {text: 'Async', num: true},
                    {text: 'Alignment', num: true}, {text: 'Start delay', num: true}],
                   s.subtasks.map(t => t.status === 'completed'
                       ? [t.index, t.status, fmtTime(t.ack_timestamp), fmtMs(t.end_to_end_duration), fmtBytes(t.state_size),
                          fmtMs(t.checkpoint.sync), fmtMs(t.checkpoint.async), fmtMs(t.alignment.duration), fmtMs(t.start_delay)]
                       : [t.index, t.status, '-', '-', '-', '-', '-', '-', '-']),
                   {class: 'checkpoint-subtasks', 'data-vertex-id': v.id}));
  });
  return out;
}

async function checkpointsTab(job, selected) {
  let stats;
  try {
    stats = await api('/jobs/' + job.jid + '/checkpoints');
  } catch (e) {
    if (e.status === 404) return [el('p', {class: 'note'}, e.message)];
    throw e;
  }
  const c = stats.counts;
  const out = [
    el('div', {class: 'facts', id: 'checkpoint-counts'},
       el('span', {}, 'Triggered ', c.total), el('span', {}, 'In progress ', c.in_progress),
       el('span', {}, 'Completed ', c.completed), el('span', {}, 'Failed ', c.failed), el('span', {}, 'Restored ', c.restored)),
  ];
  const latest = stats.latest;
  if (latest.completed) out.push(el('p', {class: 'note'}, 'Latest completed: ', latest.completed.id, ' at ', fmtTime(latest.completed.latest_ack_timestamp), ', ', latest.completed.external_path || ''));
  if (latest.failed) out.push(el('p', {class: 'error'}, 'Latest failed: ', latest.failed.id, ': ', latest.failed.failure_message));
  if (latest.restored) out.push(el('p', {class: 'note'}, 'Restored from ', latest.restored.id, ' (', latest.restored.external_path, ') at ', fmtTime(latest.restored.restore_timestamp)));

  out.push(el('h2', {}, 'History'));
  const selectedId = selected ? Number(selected) : null;
  out.push(table([{text: 'Id', num: true}, 'Status', 'Triggered', {text: 'End to end', num: true},
                  {text: 'Checkpointed size', num: true}, {text: 'Full size', num: true}, {text: 'Acknowledged', num: true}],
                 stats.history.map(h => ({
                   cells: [el('a', {href: '#/jobs/' + job.jid + '/checkpoints/' + h.id}, h.id), state(h.status),
                           fmtTime(h.trigger_timestamp), fmtMs(h.end_to_end_duration), fmtBytes(h.checkpointed_size),
                           fmtBytes(h.state_size), h.num_acknowledged_subtasks + '/' + h.num_subtasks],
                   attrs: {'data-checkpoint-id': h.id, 'data-status': h.status, class: h.id === selectedId ? 'selected' : null},
                 })), {id: 'checkpoint-history'}));
  if (!stats.history.length) out.push(el('p', {class: 'note'}, 'No checkpoint yet.'));

  out.push(el('h2', {}, 'Duration and size over time'), chart(job.jid, stats.history));
  if (c.completed > 0) {
    out.push(el('h2', {}, 'Summary of completed checkpoints'));
    out.push(table(['', ...QUANTILES.map(q => ({text: q, num: true}))],
                   SUMMARY_ROWS.map(([label, key, f]) => [label, ...QUANTILES.map(q => f(stats.summary[key][q]))]),
                   {id: 'checkpoint-summary'}));
  }
  if (selectedId !== null) out.push(...await checkpointDetail(job, selectedId));
  return out;
}

// ---- exceptions and configuration ----------------------------------------------

async function exceptionsTab(job) {
  const e = await api('/jobs/' + job.jid + '/exceptions');
  const out = [];
  if (e['root-exception']) out.push(el('h2', {}, 'Root cause'), el('pre', {class: 'error'}, e['root-exception']));
  const entries = e.exceptionHistory.entries;
  out.push(el('h2', {}, 'History'));
  if (!entries.length) out.push(el('p', {class: 'note'}, 'No failures.'));
  else {
    out.push(table(['Time', 'Task', 'Restarted', 'Failure'],
                   entries.map(x => [fmtTime(x.timestamp), x.taskName || '(job)', x.restarted ? 'yes' : 'no',
                                     el('pre', {}, x.stacktrace)]), {id: 'exceptions'}));
  }
  if (e.exceptionHistory.truncated) out.push(el('p', {class: 'note'}, 'Older failures were dropped (web.exception-history-size).'));
  return out;
}

async function configurationTab(job) {
  const config = await api('/jobs/' + job.jid + '/config');
  const user = config['execution-config']['user-config'] || {};
  const out = [el('h2', {}, 'Job configuration'),
               table(['Key', 'Value'], Object.keys(user).sort().map(k => [k, user[k]]), {id: 'configuration'})];
  try {
    const cp = await api('/jobs/' + job.jid + '/checkpoints/config');
    out.push(el('h2', {}, 'Checkpointing'),
             table(['Setting', 'Value'], [['Mode', cp.mode], ['Interval', fmtMs(cp.interval)], ['Timeout', fmtMs(cp.timeout)],
                                          ['Minimum pause', fmtMs(cp.min_pause)], ['Maximum concurrent', cp.max_concurrent],
                                          ['Tolerable failures', cp.tolerable_failed_checkpoints],
                                          ['Retained', cp.num_retained !== undefined ? cp.num_retained : '-'],
                                          ['Storage', cp.checkpoint_storage], ['State backend', cp.state_backend]]));
  } catch (e) {
    out.push(el('p', {class: 'note'}, 'Checkpointing is off.'));
  }
  return out;
}

// ---- routing --------------------------------------------------------------------

async function render() {
  clearTimeout(timer);
  const parts = location.hash.replace(/^#\/?/, '').split('/').filter(Boolean);
  try {
    if (parts[0] === 'jobs' && parts[1]) await jobPage(parts[1], parts[2] || 'overview', parts[3]);
    else await jobsPage();
  } catch (e) {
    show(el('p', {class: 'error', id: 'error'}, e.message), el('p', {}, el('a', {href: '#/'}, 'All jobs')));
  }
  timer = setTimeout(render, REFRESH_MS);
}

window.addEventListener('hashchange', render);
render();
