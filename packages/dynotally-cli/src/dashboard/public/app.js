// dynotally dashboard: polls /api/state and draws every panel with chart.js (served from node_modules).
// Plain browser JavaScript, no build step. Every number comes from the server, which reads it through
// dynotally's query client; `data-value` attributes carry the exact values for tests.
(() => {
  const POLL_MS = 1500;
  /** @type {typeof globalThis.Chart} */
  const Chart = globalThis.Chart;
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const fmt = new Intl.NumberFormat('en-US');
  const fmt1 = new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 });
  // every percentage with one decimal (`20.0 %` beside `29.3 %`, not `20 %`): one rule for the whole page
  const pct = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const percent = (x) => `${pct.format(x)} %`;
  // a count and its noun, singular for exactly one (`1 worker`, `2 workers`): the CLI's rule (cli/output/plural.ts),
  // here by hand, as the page is served as it is, without a build step
  const plural = (n, noun, nouns = `${noun}s`) => `${fmt.format(n)} ${n === 1 ? noun : nouns}`;
  const charts = new Map();
  const selection = { meter: '', store: '' };
  let updates = 0;
  let inflight = false;
  let paused = false;
  // `dynotally dev --remote-control` puts a token in the URL's fragment (never sent to the server as part of a
  // URL): the page sends it with every API request, in a header no other site's page can set without a preflight.
  const token = new URLSearchParams(location.hash.slice(1)).get('token');
  const api = (path, init = {}) =>
    fetch(path, token ? { ...init, headers: { ...init.headers, 'x-dynotally-token': token } } : init);

  Chart.defaults.animation = false;
  Chart.defaults.font.size = 11;
  Chart.defaults.plugins.legend.display = false;

  /** Creates (once) or updates a chart on the canvas with this test id. */
  function chart(testid, config) {
    let c = charts.get(testid);
    // A measure joined (S4's revenue once version 2 serves): draw the chart anew with its new datasets.
    if (c !== undefined && c.data.datasets.length !== config.data.datasets.length) {
      c.destroy();
      c = undefined;
    }
    if (c === undefined || !document.body.contains(c.canvas)) {
      const canvas = typeof testid === 'string' ? $(testid) : testid;
      c = new Chart(canvas, config);
      charts.set(testid, c);
      return c;
    }
    c.data.labels = config.data.labels;
    config.data.datasets.forEach((d, i) => {
      Object.assign(c.data.datasets[i], d);
    });
    c.options = config.options; // titles name the selected meter or store
    c.update('none');
    return c;
  }

  function el(tag, attrs = {}, text) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') e.className = v;
      else e.setAttribute(k, String(v));
    }
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function numberCell(testid, value, cls = 'num') {
    return el('td', { class: cls, 'data-testid': testid, 'data-value': value }, fmt.format(Number(value)));
  }

  function seconds(ms) {
    return ms === null || ms === undefined ? '–' : `${(ms / 1000).toFixed(1)} s`;
  }

  function freshness(id, f) {
    const node = $(`${id}-freshness`);
    if (!f) return;
    if (!f.started) {
      node.textContent = 'freshness: measuring starts when live events flow';
      return;
    }
    const how = f.method === 'latest-time' ? 'latest reading' : 'value match';
    const p50 = f.p50Ms === null ? '–' : `≤ ${seconds(f.p50Ms)}`;
    node.textContent = `freshness p50 ${p50} · p90 ${f.p90Ms === null ? '–' : seconds(f.p90Ms)} · n=${f.samples}/60 s · ${f.pending} pending (${how}, ±${seconds(f.resolutionMs)})`;
    node.dataset.value = f.p50Ms === null ? '' : String(f.p50Ms);
    node.classList.toggle('slow', (f.p50Ms ?? 0) > 5000);
  }

  function renderS0(p) {
    $('s0-window').textContent =
      `${p.window} · sparklines: per minute since ${p.sparkFrom.slice(11, 16)} UTC`;
    const body = $('s0-rows');
    const rows = p.customers.map((c) => {
      const tr = el('tr', { 'data-testid': `s0-row-${c.customerId}` });
      tr.append(el('td', {}, c.customerId), numberCell(`s0-jobs-${c.customerId}`, c.jobs));
      const td = el('td', { class: 'spark' });
      const canvas = el('canvas', { 'data-testid': `s0-spark-${c.customerId}`, width: 180, height: 28 });
      td.append(canvas);
      tr.append(td);
      return { tr, canvas, c };
    });
    body.replaceChildren(...rows.map((r) => r.tr));
    for (const key of [...charts.keys()])
      if (typeof key === 'string' && key.startsWith('s0-spark-')) charts.delete(key);
    for (const { canvas, c } of rows) {
      const spark = new Chart(canvas, {
        type: 'line',
        data: {
          labels: c.sparkline.map((_, i) => i),
          datasets: [
            {
              data: c.sparkline,
              borderColor: '#2f6fde',
              borderWidth: 1.5,
              pointRadius: 0,
              // monotone: a smoothed count never dips below 0 or above its neighbours (tension 0.3 did)
              cubicInterpolationMode: 'monotone',
              fill: false,
            },
          ],
        },
        options: {
          responsive: false,
          scales: { x: { display: false }, y: { display: false, beginAtZero: true } },
          plugins: { tooltip: { enabled: false } },
        },
      });
      charts.set(`s0-spark-${c.customerId}`, spark);
    }
  }

  function renderS1(p) {
    $('s1-window').textContent = p.window; // the window's description names its zone
    $('s1-rows').replaceChildren(
      ...p.projects.map((x) => {
        const tr = el('tr', { 'data-testid': `s1-row-${x.projectId}` });
        tr.append(
          el('td', {}, x.projectId),
          numberCell(`s1-scans-${x.projectId}`, x.scans),
          numberCell(`s1-quota-${x.projectId}`, x.quota),
          el(
            'td',
            { class: x.percent >= 100 ? 'num over' : 'num', 'data-testid': `s1-percent-${x.projectId}` },
            percent(x.percent),
          ),
          numberCell(`s1-bytes-${x.projectId}`, x.bytes),
        );
        return tr;
      }),
    );
    chart('s1-chart', {
      type: 'bar',
      data: {
        labels: p.projects.map((x) => x.projectId),
        datasets: [
          {
            label: 'scans',
            data: p.projects.map((x) => x.scans),
            backgroundColor: p.projects.map((x) => (x.percent >= 100 ? '#d0393e' : '#2f6fde')),
          },
          { label: 'quota', data: p.projects.map((x) => x.quota), backgroundColor: '#dde3ee' },
        ],
      },
      options: {
        maintainAspectRatio: false,
        plugins: { legend: { display: true, position: 'bottom' } },
        scales: { x: { grid: { display: false } } },
      },
    });
  }

  function ranking(testid, entries) {
    const max = Math.max(1, ...entries.map((e) => e.favourites));
    $(testid).replaceChildren(
      ...entries.map((e) => {
        const li = el('li', {
          'data-testid': `${testid}-${e.rank}`,
          'data-group': e.restaurantId,
          'data-value': e.favourites,
        });
        const bar = el('div', { class: 'bar' });
        bar.style.width = `${(100 * Math.max(0, e.favourites)) / max}%`;
        li.append(
          el('span', { class: 'rank' }, String(e.rank)),
          el('span', {}, e.restaurantId),
          bar,
          el('span', { class: 'num' }, fmt.format(e.favourites)),
        );
        return li;
      }),
    );
  }

  function renderS2(p) {
    $('s2-label-month').textContent = `(${p.month}, Asia/Kolkata)`;
    ranking('s2-all', p.allTime);
    ranking('s2-month', p.thisMonth);
  }

  function options(select, values, selected) {
    const current = [...select.options].map((o) => o.value).join(',');
    if (current !== values.join(','))
      select.replaceChildren(...values.map((v) => el('option', { value: v }, v)));
    select.value = selected;
  }

  function bars(testid, title, points, color) {
    chart(testid, {
      type: 'bar',
      data: {
        labels: points.map((x) => x.label),
        datasets: [{ data: points.map((x) => x.value), backgroundColor: color }],
      },
      options: {
        maintainAspectRatio: false,
        plugins: { title: { display: true, text: title } },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true } },
          y: { beginAtZero: true },
        },
      },
    });
  }

  function renderS3(p) {
    options($('s3-meter'), p.meters, p.meter);
    for (const [id, v] of [
      ['s3-today', p.today],
      ['s3-month', p.thisMonth],
      ['s3-year', p.thisYear],
    ]) {
      const node = $(id);
      node.dataset.value = v;
      node.textContent = fmt1.format(Number(v));
    }
    bars('s3-hourly', `${p.meter}: Wh per hour, today`, p.hourly, '#2f6fde');
    bars('s3-daily', 'Wh per day, this month', p.daily, '#e0772f');
    bars('s3-monthly', 'Wh per month, this year', p.monthly, '#1f9d55');
    $('s3-power').replaceChildren(
      ...p.power
        .filter((x) => x.watts !== null)
        .map((x) => {
          const d = el('div', { 'data-testid': `s3-power-${x.deviceId}`, 'data-value': x.watts });
          d.append(
            el('div', {}, x.deviceId),
            el('b', {}, `${fmt1.format(Number(x.watts))} W`),
            // in the page's zone, as "as of" is: the ISO carries the rollup's zone (Europe/London), unnamed here
            el('div', { class: 'muted' }, x.at ? `at ${new Date(x.at).toLocaleTimeString()}` : ''),
          );
          return d;
        }),
    );
  }

  const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

  function renderS4(p) {
    const revenue = p.measures.includes('revenue');
    $('s4-title').textContent = revenue
      ? 'Store orders, views and revenue, last 30 days'
      : 'Store orders and views, last 30 days';
    $('s4-revenue-head').hidden = !revenue;
    options(
      $('s4-store'),
      p.stores.map((s) => s.storeId).concat(p.stores.some((s) => s.storeId === p.store) ? [] : [p.store]),
      p.store,
    );
    $('s4-window').textContent = p.window;
    chart('s4-chart', {
      type: 'bar',
      data: {
        labels: p.days.map((d) => d.label),
        datasets: [
          {
            label: 'views',
            data: p.days.map((d) => d.views),
            backgroundColor: '#9dbcf0',
            yAxisID: 'views',
            order: 2,
          },
          {
            type: 'line',
            label: 'orders',
            data: p.days.map((d) => d.orders),
            borderColor: '#e0772f',
            backgroundColor: '#e0772f',
            yAxisID: 'orders',
            pointRadius: 2,
            // monotone: orders per day are counts; a tension curve dipped below 0 between a 1 and a 0 day
            cubicInterpolationMode: 'monotone',
            order: 1,
          },
          ...(revenue
            ? [
                {
                  type: 'line',
                  label: 'revenue',
                  data: p.days.map((d) => d.revenue ?? 0),
                  borderColor: '#2f9e5b',
                  backgroundColor: '#2f9e5b',
                  yAxisID: 'revenue',
                  pointRadius: 2,
                  cubicInterpolationMode: 'monotone',
                  order: 0,
                },
              ]
            : []),
        ],
      },
      options: {
        maintainAspectRatio: false,
        plugins: {
          legend: { display: true, position: 'bottom' },
          title: {
            display: true,
            text: `${p.store}: orders${revenue ? ', views and revenue' : ' and views'} per day`,
          },
        },
        scales: {
          views: {
            position: 'left',
            beginAtZero: true,
            ticks: { precision: 0 },
            title: { display: true, text: 'views' },
          },
          orders: {
            position: 'right',
            beginAtZero: true,
            ticks: { precision: 0 },
            grid: { display: false },
            title: { display: true, text: 'orders' },
          },
          ...(revenue
            ? {
                revenue: {
                  position: 'right',
                  beginAtZero: true,
                  grid: { display: false },
                  title: { display: true, text: 'revenue' },
                },
              }
            : {}),
        },
      },
    });
    $('s4-rows').replaceChildren(
      ...p.stores.map((s) => {
        const tr = el('tr', { 'data-testid': `s4-row-${s.storeId}` });
        // The share of the store's shopper events that are orders, orders ÷ (orders + views): never over 100 %,
        // also for a quiet store with more orders than views (orders ÷ views was 200 % for 2 orders and 1 view).
        const seen = s.orders + s.views;
        const conv = seen > 0 ? (100 * s.orders) / seen : undefined;
        tr.append(
          el('td', {}, s.storeId),
          numberCell(`s4-orders-${s.storeId}`, s.orders),
          numberCell(`s4-views-${s.storeId}`, s.views),
          el(
            'td',
            { class: 'num', 'data-testid': `s4-conversion-${s.storeId}`, 'data-value': conv ?? '' },
            conv === undefined ? '–' : percent(conv),
          ),
        );
        if (revenue)
          tr.append(
            el(
              'td',
              { class: 'num', 'data-testid': `s4-revenue-${s.storeId}`, 'data-value': s.revenueRaw ?? '0' },
              money.format(s.revenue ?? 0),
            ),
          );
        return tr;
      }),
    );
  }

  const PHASES = {
    idle: 'not started',
    registering: 'registering version 2 (version 1 keeps serving)',
    'starting-stream': 'starting the stream side of version 2 (it writes every change from now on)',
    backfilling: 'backfilling version 2 from the source table while the generators keep writing',
    ready: 'version 2 is complete: promote it here, or run npx dynotally rollups promote store 2',
    promoting: 'promoting version 2',
    serving: 'version 2 serves reads: revenue below, with its history',
    failed: 'failed',
  };

  function renderDemo(d) {
    const box = $('s4-demo');
    box.hidden = !d;
    if (!d) return;
    const status = $('demo-status');
    if (d.phase !== 'idle') {
      status.textContent = `${PHASES[d.phase] ?? d.phase}${d.error ? `: ${d.error}` : ''}`;
    }
    status.dataset.phase = d.phase;
    $('demo-start').hidden = d.phase !== 'idle' && d.phase !== 'failed';
    const b = d.backfill;
    const progress = $('demo-progress');
    progress.hidden = !b;
    const line = $('demo-backfill');
    if (b) {
      // the share of the build, what earlier runs of a resumed build scanned included (as the CLI's bar); while
      // the table's item estimate is 0 (DynamoDB refreshes it about every six hours) the share is unknown: a bar
      // without a value is indeterminate, where one at 0 would say nothing is being scanned
      const unknown = d.phase === 'backfilling' && b.share === null;
      if (unknown) progress.removeAttribute('value');
      else progress.value = d.phase === 'backfilling' ? b.share : 1;
      const eta = d.phase === 'backfilling' && b.etaMs > 0 ? ` · ETA ${seconds(b.etaMs)}` : '';
      const before = b.scannedBefore > 0 ? ` (${fmt.format(b.scannedBefore)} by earlier runs)` : '';
      const size = unknown ? " · the table's size is not estimated yet" : '';
      line.textContent = `${plural(b.scannedBefore + b.scanned, 'item')} scanned${before}${size} · ${fmt.format(b.folded)} counted by the scan · ${fmt.format(b.claimedLive)} claimed first by the stream · ${fmt1.format(b.itemsPerSecond)} items/s${eta}`;
      line.dataset.scanned = String(b.scanned);
    } else line.textContent = '';
    const promote = $('demo-promote');
    promote.hidden = d.phase !== 'ready' && d.phase !== 'promoting';
    promote.disabled = d.phase !== 'ready';
    $('demo-versions').replaceChildren(
      ...d.versions.map((v) =>
        el(
          'span',
          { class: `version ${v.state}`, 'data-testid': `demo-version-${v.version}`, 'data-state': v.state },
          `version ${v.version}${v.version === d.version ? ' (+ revenue)' : ''}: ${v.state}`,
        ),
      ),
      ...(d.streamRecords === null
        ? []
        : [
            el(
              'span',
              { class: 'note' },
              `version 2's stream side: ${plural(d.streamRecords, 'record')} read`,
            ),
          ]),
    );
  }

  async function demo(action) {
    const res = await api('/api/change-rollup', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ action }),
    });
    if (!res.ok) showError((await res.json()).error ?? res.statusText);
    await poll();
  }

  const RENDER = { s0: renderS0, s1: renderS1, s2: renderS2, s3: renderS3, s4: renderS4 };

  function render(state) {
    const at = $('state-at');
    at.dataset.value = String(state.at);
    at.textContent = new Date(state.at).toLocaleTimeString();
    const w = state.worker;
    // Iterator age is left out: DynamoDB Local truncates record times to the minute, so it reads up to a
    // minute high there; each panel's freshness is the end-to-end figure.
    // What it counts: records read from the source table's stream (each worker reads every record; one stream
    // record per write that changed an item), and the distinct shards of that stream.
    $('worker-status').textContent = w
      ? `stream: ${plural(w.records, 'record')} read · ${fmt1.format(w.recordsPerSecond)}/s · ${plural(w.shards, 'shard')}${w.workers > 1 ? ` · ${plural(w.workers, 'worker')}` : ''}${w.deadLettered ? ` · ${plural(w.deadLettered, 'dead letter')}` : ''}${w.errors ? ` · ${plural(w.errors, 'error')}` : ''}`
      : 'worker: not in this process';
    $('worker-status').dataset.records = w ? String(w.records) : '';
    $('worker-status').dataset.shards = w ? String(w.shards) : '';
    const g = state.generators;
    paused = g ? g.paused : false;
    $('generator-status').textContent =
      g && g.scenarios.length > 0
        ? `generators: ${g.paused ? 'paused' : 'running'} · ${g.scenarios.map((s) => `${s.id} ${fmt.format(s.total)}`).join(' · ')}`
        : 'generators: none (no scenario runs: write to the source table, read with dynotally query)';
    $('toggle-generators').textContent = paused ? 'Resume generators' : 'Pause generators';
    $('toggle-generators').disabled = !g || g.scenarios.length === 0;
    // --scenarios none: no generator to pause or pace, no panel to draw; say so instead of a blank page (the
    // controls stay while any generator runs, as on a dashboard serving generators without panels)
    const noGenerators = !g || g.scenarios.length === 0;
    $('controls').hidden = noGenerators;
    $('no-scenarios').hidden = !(noGenerators && state.scenarios.length === 0);
    const rate = $('rate-input');
    if (g && document.activeElement !== rate && g.scenarios[0]) rate.value = String(g.scenarios[0].rate);
    $('reads').textContent =
      `reads: ${plural(state.reads.itemsRead, 'item')}, ${fmt1.format(state.reads.readUnits)} RCU in ${state.reads.ms} ms`;
    for (const id of state.scenarios) {
      const section = $(`panel-${id}`);
      section.hidden = false;
      const panel = state.panels[id];
      if (panel) RENDER[id](panel);
      freshness(id, state.freshness[id]);
    }
    renderDemo(state.changeRollup);
    const errors = Object.entries(state.errors);
    showError(errors.length ? errors.map(([id, e]) => `${id}: ${e}`).join(' · ') : '');
    updates += 1;
    const u = $('updates');
    u.dataset.value = String(updates);
    u.textContent = plural(updates, 'update');
  }

  function showError(text) {
    const e = $('error');
    e.hidden = text === '';
    e.textContent = text;
  }

  async function poll() {
    if (inflight) return;
    inflight = true;
    try {
      const q = new URLSearchParams();
      if (selection.meter) q.set('meter', selection.meter);
      if (selection.store) q.set('store', selection.store);
      const res = await api(`/api/state?${q}`);
      const body = await res.json();
      if (!res.ok) throw new Error(body.error ?? res.statusText);
      render(body);
    } catch (e) {
      showError(`cannot read the state: ${e.message} (retrying)`);
    } finally {
      inflight = false;
    }
  }

  async function control(body) {
    const res = await api('/api/generators', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!res.ok) showError((await res.json()).error ?? res.statusText);
    await poll();
  }

  $('toggle-generators').addEventListener('click', () => control({ action: paused ? 'resume' : 'pause' }));
  $('rate-apply').addEventListener('click', () => {
    const rate = Number($('rate-input').value);
    if (Number.isFinite(rate) && rate >= 0) control({ rate });
  });
  $('demo-start').addEventListener('click', () => demo('start'));
  $('demo-promote').addEventListener('click', () => demo('promote'));
  $('s3-meter').addEventListener('change', (e) => {
    selection.meter = e.target.value;
    poll();
  });
  $('s4-store').addEventListener('change', (e) => {
    selection.store = e.target.value;
    poll();
  });

  // The server embeds the state it had when it served the page: draw it now, so the page is filled when `load`
  // fires (a screenshot right after load is not blank), then poll.
  const initial = document.getElementById('initial-state');
  if (initial) {
    try {
      render(JSON.parse(initial.textContent));
    } catch (e) {
      showError(`cannot draw the embedded state: ${e.message}`);
    }
  }
  if (!initial) poll();
  setInterval(poll, POLL_MS);
})();
