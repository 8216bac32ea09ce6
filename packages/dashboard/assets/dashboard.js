// The dashboard page: applies the server's snapshot and patches (GET /events) to a local copy of
// the state and renders it. Hand-written, no framework; uPlot draws the charts. Text goes into the
// page with textContent only, never as HTML.
(() => {
  const rowHeight = 28;
  const windowSeconds = 900;
  // Indexes of a request row tuple, as the server sends it.
  const R = {
    id: 0,
    model: 1,
    state: 2,
    attempt: 3,
    output: 4,
    max: 5,
    percent: 6,
    tps: 7,
    eta: 8,
    retryAt: 9,
    bucket: 10,
    startedAt: 11,
  };
  const stateOrder = ['streaming', 'sending', 'resuming', 'waiting', 'retrying', 'stalled'];

  const view = {
    title: 'Bulwark',
    now: 0,
    requests: new Map(),
    totals: {},
    points: [],
    alerts: { active: [], history: [] },
    failures: [],
    filter: null,
  };
  const byId = (id) => document.getElementById(id);
  let renderQueued = false;
  let charts = {};
  let levelKeys = '';

  const number = (value) => Math.round(value).toLocaleString('en-US');
  const money = (value) => `$${value.toFixed(value < 1 ? 4 : 2)}`;
  const clockTime = (ms) => new Date(ms).toISOString().slice(11, 19);
  const seconds = (ms) => (ms === null || ms === undefined ? '–' : `${Math.max(0, Math.ceil(ms / 1000))} s`);

  function stateLabel(row) {
    const untilRetry = row[R.retryAt] === null ? null : row[R.retryAt] - view.now;
    switch (row[R.state]) {
      case 'waiting':
        return row[R.bucket] ? `waiting for limit (${row[R.bucket].replace('_', ' ')})` : 'waiting for limit';
      case 'retrying':
        return untilRetry === null ? 'retrying' : `retrying in ${seconds(untilRetry)}`;
      case 'stalled':
        return untilRetry === null ? 'stalled' : `stalled, resuming in ${seconds(untilRetry)}`;
      default:
        return row[R.state];
    }
  }

  function applySnapshot(data) {
    view.title = data.title;
    view.now = data.now;
    view.requests = new Map(data.requests.map((row) => [row[R.id], row]));
    view.totals = data.totals;
    view.points = data.points;
    view.alerts = data.alerts;
    view.failures = data.failures;
  }

  function applyPatch(data) {
    view.now = data.now;
    for (const row of data.upserts ?? []) view.requests.set(row[R.id], row);
    for (const id of data.removed ?? []) view.requests.delete(id);
    if (data.totals) view.totals = data.totals;
    if (data.alerts) view.alerts = data.alerts;
    if (data.failures) view.failures = view.failures.concat(data.failures).slice(-50);
    const lastT = view.points.length > 0 ? view.points[view.points.length - 1].t : 0;
    for (const point of data.points ?? []) if (point.t > lastT) view.points.push(point);
    if (view.points.length > windowSeconds) view.points.splice(0, view.points.length - windowSeconds);
  }

  function queueRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      render();
    });
  }

  function sumTotals() {
    const sum = {
      completed: 0,
      failed: 0,
      retries: 0,
      resumes: 0,
      keptTokens: 0,
      rateLimited: 0,
      stalls: 0,
      input: 0,
      output: 0,
      cost: 0,
      unknown: [],
    };
    for (const [model, totals] of Object.entries(view.totals)) {
      sum.completed += totals.completed;
      sum.failed += totals.failed;
      sum.retries += totals.retries;
      sum.resumes += totals.resumes;
      sum.keptTokens += totals.keptTokens;
      sum.rateLimited += totals.rateLimited;
      sum.stalls += totals.stalls;
      sum.input +=
        totals.usage.inputTokens + totals.usage.cacheCreationInputTokens + totals.usage.cacheReadInputTokens;
      sum.output += totals.usage.outputTokens;
      if (totals.costUsd === null) sum.unknown.push(model);
      else sum.cost += totals.costUsd;
    }
    return sum;
  }

  function renderTotals() {
    const sum = sumTotals();
    byId('total-inflight').textContent = number(view.requests.size);
    byId('total-completed').textContent = number(sum.completed);
    byId('total-failed').textContent = number(sum.failed);
    byId('total-retries').textContent = number(sum.retries);
    byId('total-resumes').textContent = number(sum.resumes);
    byId('total-kept').textContent = number(sum.keptTokens);
    byId('total-429').textContent = number(sum.rateLimited);
    byId('total-stalls').textContent = number(sum.stalls);
    byId('total-tokens').textContent = `${number(sum.input)} / ${number(sum.output)}`;
    const cost = byId('total-cost');
    cost.textContent = sum.unknown.length > 0 ? `${money(sum.cost)} + unknown` : money(sum.cost);
    cost.title = sum.unknown.length > 0 ? `No price for ${sum.unknown.join(', ')}` : '';
    cost.dataset.usd = String(sum.cost);
  }

  function cells(parent, values) {
    for (const value of values) {
      const cell = document.createElement(parent.tagName === 'TR' ? 'td' : 'span');
      cell.textContent = value;
      parent.append(cell);
    }
  }

  function renderModels() {
    const body = byId('model-rows');
    body.replaceChildren();
    for (const [model, totals] of Object.entries(view.totals)) {
      const row = document.createElement('tr');
      row.dataset.model = model;
      cells(row, [
        model,
        number(totals.completed),
        number(totals.failed),
        number(
          totals.usage.inputTokens +
            totals.usage.cacheCreationInputTokens +
            totals.usage.cacheReadInputTokens,
        ),
        number(totals.usage.outputTokens),
        totals.costUsd === null ? 'unknown' : money(totals.costUsd),
      ]);
      body.append(row);
    }
  }

  function renderSummary(rows) {
    const counts = new Map();
    for (const row of rows) counts.set(row[R.state], (counts.get(row[R.state]) ?? 0) + 1);
    const summary = byId('state-summary');
    summary.replaceChildren();
    for (const state of stateOrder) {
      const count = counts.get(state);
      if (!count) continue;
      const button = document.createElement('button');
      button.type = 'button';
      button.dataset.state = state;
      button.setAttribute('aria-pressed', String(view.filter === state));
      button.textContent = `${state} ${count}`;
      button.addEventListener('click', () => {
        view.filter = view.filter === state ? null : state;
        queueRender();
      });
      summary.append(button);
    }
  }

  // Only the rows in view are in the DOM, so a thousand requests in flight stay cheap to show.
  function renderRequests() {
    const all = [...view.requests.values()];
    renderSummary(all);
    const rows = all
      .filter((row) => view.filter === null || row[R.state] === view.filter)
      .sort((a, b) => a[R.startedAt] - b[R.startedAt] || (a[R.id] < b[R.id] ? -1 : 1));
    byId('inflight-count').textContent = String(view.requests.size);
    const list = byId('request-list');
    const spacer = byId('request-spacer');
    spacer.style.height = `${rows.length * rowHeight}px`;
    const first = Math.max(0, Math.floor(list.scrollTop / rowHeight) - 5);
    const last = Math.min(rows.length, first + Math.ceil(list.clientHeight / rowHeight) + 10);
    const elements = [];
    for (let index = first; index < last; index += 1) {
      const row = rows[index];
      const element = document.createElement('div');
      element.className = 'request-row';
      element.style.top = `${index * rowHeight}px`;
      element.dataset.requestId = row[R.id];
      element.dataset.state = row[R.state];
      element.dataset.outputTokens = String(row[R.output]);
      cells(element, [row[R.id], row[R.model]]);
      const state = document.createElement('span');
      state.className = 'state';
      state.textContent = stateLabel(row);
      const progress = document.createElement('span');
      progress.title = `${number(row[R.output])} of ${row[R.max] === null ? '?' : number(row[R.max])} tokens`;
      const bar = document.createElement('div');
      bar.className = 'bar';
      const fill = document.createElement('div');
      fill.style.width = `${Math.min(100, row[R.percent])}%`;
      bar.append(fill);
      progress.append(bar);
      element.append(state, progress);
      cells(element, [row[R.tps].toFixed(1), seconds(row[R.eta]), String(row[R.attempt])]);
      elements.push(element);
    }
    spacer.replaceChildren(...elements);
  }

  function alertItem(alert, resolved) {
    const item = document.createElement('li');
    item.dataset.alertId = alert.alertId;
    item.dataset.ruleId = alert.ruleId;
    const severity = document.createElement('span');
    severity.className = `severity ${alert.severity}`;
    severity.textContent = alert.severity;
    const text = document.createElement('span');
    const when = resolved
      ? `${clockTime(alert.at)}–${clockTime(alert.resolvedAt)}`
      : `since ${clockTime(alert.at)}`;
    text.textContent = `${alert.message} (${when})`;
    item.append(severity, text);
    return item;
  }

  function renderAlerts() {
    const active = byId('active-alerts');
    byId('alert-count').textContent = String(view.alerts.active.length);
    active.replaceChildren(...view.alerts.active.map((alert) => alertItem(alert, false)));
    if (view.alerts.active.length === 0) {
      const empty = document.createElement('li');
      empty.className = 'empty';
      empty.textContent = 'No active alert';
      active.append(empty);
    }
    const history = [...view.alerts.history].reverse();
    byId('alert-history').replaceChildren(
      ...history.map((alert) => alertItem(alert, alert.resolvedAt !== undefined)),
    );
  }

  function renderFailures() {
    const body = byId('failure-rows');
    body.replaceChildren();
    for (const failure of [...view.failures].reverse()) {
      const row = document.createElement('tr');
      row.dataset.requestId = failure.requestId;
      row.dataset.code = failure.code ?? '';
      row.title = failure.message;
      cells(row, [
        clockTime(failure.at),
        failure.requestId,
        failure.model,
        failure.code ?? failure.name,
        failure.status === null ? '–' : String(failure.status),
        failure.type ?? failure.giveUpReason ?? '–',
      ]);
      body.append(row);
    }
  }

  function chart(id, series, data) {
    const element = byId(id);
    const options = {
      width: Math.max(200, element.clientWidth),
      height: 130,
      legend: { show: false },
      scales: { x: { time: true } },
      axes: [
        { stroke: '#8b96a3', grid: { stroke: '#26303b' } },
        { stroke: '#8b96a3', grid: { stroke: '#26303b' }, size: 50 },
      ],
      series: [{}, ...series],
    };
    charts[id]?.destroy();
    charts[id] = new uPlot(options, data, element);
  }

  const palette = ['#4fa3ff', '#3fb950', '#d29922', '#f85149', '#a371f7', '#39c5cf', '#e3b341', '#ff7b72'];

  function renderCharts() {
    if (typeof uPlot === 'undefined') return;
    const points = view.points;
    const x = points.map((point) => point.t);
    const column = (name) => points.map((point) => point.counts[name]);
    const keys = [...new Set(points.flatMap((point) => Object.keys(point.levels)))].sort();
    const levelData = keys.map((key) =>
      points.map((point) => (key in point.levels ? point.levels[key] : null)),
    );
    const line = (label, index) => ({ label, stroke: palette[index % palette.length], width: 1.5 });
    const data = {
      'chart-tokens': [x, column('outputTokens')],
      'chart-admitted': [x, column('admitted'), column('started')],
      'chart-levels': [x, ...levelData],
      'chart-faults': [x, column('rateLimited'), column('retries'), column('resumes')],
    };
    const rebuild = !charts['chart-tokens'] || levelKeys !== keys.join('|');
    if (rebuild) {
      levelKeys = keys.join('|');
      chart('chart-tokens', [line('tokens/s', 0)], data['chart-tokens']);
      chart('chart-admitted', [line('admitted', 0), line('started', 1)], data['chart-admitted']);
      chart('chart-levels', keys.map(line), data['chart-levels']);
      chart('chart-faults', [line('429s', 3), line('retries', 2), line('resumes', 1)], data['chart-faults']);
      return;
    }
    for (const [id, series] of Object.entries(data)) charts[id].setData(series);
  }

  function render() {
    document.title = view.title;
    byId('title').textContent = view.title;
    byId('server-time').textContent = view.now ? `server time ${clockTime(view.now)} UTC` : '';
    renderTotals();
    renderRequests();
    renderAlerts();
    renderFailures();
    renderModels();
    renderCharts();
  }

  function setConnection(state) {
    const element = byId('connection');
    element.dataset.state = state;
    element.textContent = state;
  }

  function connect() {
    const source = new EventSource('/events');
    source.onopen = () => setConnection('live');
    source.onerror = () =>
      setConnection(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting');
    source.addEventListener('snapshot', (event) => {
      setConnection('live');
      applySnapshot(JSON.parse(event.data));
      render();
      document.body.dataset.lastEventId = event.lastEventId;
    });
    source.addEventListener('patch', (event) => {
      applyPatch(JSON.parse(event.data));
      render();
      document.body.dataset.lastEventId = event.lastEventId;
    });
  }

  byId('request-list').addEventListener('scroll', queueRender, { passive: true });
  window.addEventListener('resize', () => {
    for (const instance of Object.values(charts)) instance.destroy();
    charts = {};
    queueRender();
  });
  connect();
})();
