// report.html: the interactive map and the findings list (OpenLayers is the global `ol`).
(function () {
  'use strict';
  const T0 = performance.now();
  const DATA = JSON.parse(document.getElementById('report-data').textContent);
  const T = DATA.text;
  const C = DATA.colours;
  // Labels on the map: the font embedded in the page if there is one (checking fonts that are
  // not installed would redraw the map again and again), else the page's own list.
  const FONT = DATA.embeddedFont ? `'${DATA.embeddedFont}', sans-serif` :
    getComputedStyle(document.body).fontFamily;
  const SEV_RANK = {error: 0, warning: 1, info: 2};
  const esc = (s) => String(s).replace(/[&<>"']/g,
    (c) => ({'&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;'}[c]));

  // ---- map ------------------------------------------------------------------------------
  const extent = DATA.extent;
  const pad = Math.max(extent[2] - extent[0], extent[3] - extent[1], 1) * 0.05;
  const projection = new ol.Projection({code: 'REPORT', units: 'm',
    extent: ol.extent.buffer(extent, pad * 40)});
  const geojson = new ol.GeoJSON();
  const readGeometry = (g) => geojson.readGeometry(g);

  function fillOf(hex, alpha) {
    const n = parseInt(hex.slice(1), 16);
    return `rgba(${n >> 16},${(n >> 8) & 255},${n & 255},${alpha})`;
  }

  // Base layers, without labels; the labels are points of their own (placed by the report)
  // in a layer of their own, drawn over the findings. A label is left out where it would cover
  // one drawn before it (bigger divisions first), worked out once per zoom level: cheaper than
  // the library's decluttering, which would draw every layer twice.
  const baseLayers = [];
  const divisions = [];  // [name, code, feature]
  const labels = [];  // {at, w, h, dx, style, rank}
  for (const layer of DATA.layers) {
    const features = layer.features.map(([g, label, code, at, rank]) => {
      const f = new ol.Feature(readGeometry(g));
      f.set('label', label, true);
      f.set('code', code, true);
      if (layer.kind === 'polygon' && (label || code)) divisions.push([label, code, f]);
      if (label && at) {
        const point = layer.kind === 'point';
        const size = point ? 11 : 13;
        labels.push({at, rank: rank || 0, w: size * label.length + 6, h: size + 6,
          dx: point ? 6 : 0, style: new ol.style.Style({text: new ol.style.Text({text: label,
            font: `${size}px ${FONT}`, offsetX: point ? 6 : 0,
            textAlign: point ? 'left' : 'center', fill: new ol.style.Fill({color: '#333'}),
            stroke: new ol.style.Stroke({color: '#fff', width: 3})})})});
      }
      return f;
    });
    const stroke = new ol.style.Stroke({color: layer.kind === 'polygon' ? '#666' : layer.colour,
      width: layer.kind === 'polygon' ? 0.8 : (layer.dashed ? 1.5 : 2.5),
      lineDash: layer.dashed ? [6, 4] : undefined});
    const plain = new ol.style.Style({
      fill: layer.kind === 'polygon' ? new ol.style.Fill({color: layer.colour}) : undefined,
      stroke: stroke,
      image: layer.kind === 'point' ? new ol.style.RegularShape({points: 3, radius: 5,
        fill: new ol.style.Fill({color: layer.colour}),
        stroke: new ol.style.Stroke({color: '#fff', width: 1})}) : undefined,
    });
    baseLayers.push(new ol.VectorLayer({source: new ol.VectorSource({features}), style: plain,
      properties: {name: layer.name, kind: layer.kind}}));
  }
  labels.sort((a, b) => b.rank - a.rank);
  const labelFeatures = labels.map((l) => {
    const f = new ol.Feature(new ol.Point(l.at));
    f.set('label', l, true);
    return f;
  });
  let labelResolution = null;
  function placeLabels(resolution) {
    // greedy, on a grid of cells as big as the largest label
    const cell = Math.max(...labels.map((l) => l.w), 1) * resolution;
    const grid = new Map();
    const key = (i, j) => i + ',' + j;
    for (const l of labels) {
      const x0 = l.at[0] + (l.dx ? l.dx * resolution : -l.w * resolution / 2);
      const box = [x0, l.at[1] - l.h * resolution / 2, x0 + l.w * resolution,
        l.at[1] + l.h * resolution / 2];
      const i0 = Math.floor(box[0] / cell), j0 = Math.floor(box[1] / cell);
      let free = true;
      for (let i = i0 - 1; free && i <= i0 + 1; ++i) {
        for (let j = j0 - 1; free && j <= j0 + 1; ++j) {
          for (const b of grid.get(key(i, j)) || []) {
            if (box[0] < b[2] && b[0] < box[2] && box[1] < b[3] && b[1] < box[3]) {
              free = false;
              break;
            }
          }
        }
      }
      l.shown = free;
      if (free) {
        const k = key(i0, j0);
        if (!grid.has(k)) grid.set(k, []);
        grid.get(k).push(box);
      }
    }
    labelResolution = resolution;
  }
  const labelLayer = new ol.VectorLayer({
    source: new ol.VectorSource({features: labelFeatures}), properties: {name: 'labels'},
    style: (f, resolution) => {
      if (resolution !== labelResolution) placeLabels(resolution);
      const l = f.get('label');
      return l.shown ? l.style : null;
    }});

  // A shape as the report writes it (see _shape_text in html.py) → GeoJSON geometry.
  const SHAPE_TYPES = {P: 'Point', L: 'LineString', A: 'Polygon', MP: 'MultiPoint',
    ML: 'MultiLineString', MA: 'MultiPolygon'};
  function decodeShape(text, [x0, y0]) {
    const code = text[0] === 'M' ? text.slice(0, 2) : text[0];
    const type = SHAPE_TYPES[code];
    const line = (s) => s.split(',').map((p) => {
      const [dx, dy] = p.split(' ');
      return [x0 + dx / 100, y0 + dy / 100];
    });
    const rings = (s) => s.split(';').map(line);
    const body = text.slice(code.length);
    const parts = () => body.split('|');
    const coordinates = {
      Point: () => line(body)[0],
      LineString: () => line(body),
      Polygon: () => rings(body),
      MultiPoint: () => parts().map((p) => line(p)[0]),
      MultiLineString: () => parts().map(line),
      MultiPolygon: () => parts().map(rings),
    }[type]();
    return {type, coordinates};
  }

  const byId = new Map();
  const findingFeatures = [];
  const unplaced = [];
  const BIG = Math.max(extent[2] - extent[0], extent[3] - extent[1]) * 0.02;
  DATA.findings.forEach((r, i) => {
    const [id, sev, code, excepted, subject, label, value, limit, message, xy, lonlat, shape,
      bbox] = r;
    const rec = {i, id, sev, code, excepted: !!excepted, subject, label, value, limit, message,
      xy, lonlat, bbox, feature: null, visible: true};
    byId.set(id, rec);
    if (!shape) { unplaced.push(rec); return; }
    const size = Math.max(bbox[2] - bbox[0], bbox[3] - bbox[1]);
    const anchor = new ol.Point(xy);
    const f = new ol.Feature(anchor);
    if (size > BIG) {
      const geometry = readGeometry(decodeShape(shape, xy));
      f.setGeometry(geometry);
      f.set('shape', geometry, true);
    } else {
      f.set('shapeText', shape, true);
    }
    f.setId(id);
    f.set('rec', rec, true);
    f.set('anchor', anchor, true);
    f.set('size', size, true);
    rec.feature = f;
    findingFeatures.push(f);
  });
  findingFeatures.reverse();
  function shapeOf(f) {
    let g = f.get('shape');
    if (!g) {
      g = readGeometry(decodeShape(f.get('shapeText'), f.get('rec').xy));
      f.set('shape', g, true);
    }
    return g;
  }
  const styleCache = {};
  let selected = null;
  function stylesFor(key, sel) {
    if (!styleCache[key]) {
      const colour = C[key];
      styleCache[key] = {
        // info (a merged division, say) can cover the whole map: a light fill
        shape: new ol.style.Style({geometry: shapeOf, fill: new ol.style.Fill({color: fillOf(colour,
          key === 'info' || key === 'excepted' ? 0.12 : 0.4)}),
          stroke: new ol.style.Stroke({color: colour, width: 2})}),
        point: new ol.style.Style({geometry: (feat) => feat.get('anchor'),
          image: new ol.style.Circle({radius: 5, fill: new ol.style.Fill({color: fillOf(colour, 0.35)}),
            stroke: new ol.style.Stroke({color: colour, width: 1.5})})}),
      };
      styleCache[key].both = [styleCache[key].shape, styleCache[key].point];
    }
    return styleCache[key];
  }
  function findingStyle(f, resolution) {
    const rec = f.get('rec');
    if (!rec.visible) return null;
    const styles = stylesFor(rec.excepted ? 'excepted' : rec.sev);
    return f.get('size') > 3 * resolution ? styles.both : styles.point;
  }
  const selectedStyle = [
    new ol.style.Style({geometry: shapeOf, fill: new ol.style.Fill({color: 'rgba(255,215,0,0.35)'}),
      stroke: new ol.style.Stroke({color: '#000', width: 3})}),
    new ol.style.Style({geometry: (feat) => feat.get('anchor'),
      image: new ol.style.Circle({radius: 9, fill: new ol.style.Fill({color: 'rgba(255,215,0,0.6)'}),
        stroke: new ol.style.Stroke({color: '#000', width: 2.5})})}),
  ];
  const findingSource = new ol.VectorSource({features: findingFeatures});
  const findingLayer = new ol.VectorLayer({source: findingSource, style: findingStyle,
    renderOrder: null, properties: {name: 'findings'}});
  const selectedSource = new ol.VectorSource();
  const selectedLayer = new ol.VectorLayer({source: selectedSource, style: selectedStyle});

  const scale = new ol.control.ScaleLine({units: 'metric', bar: true, steps: 4, text: false,
    minWidth: 120});
  const mousePosition = new ol.control.MousePosition({projection,
    coordinateFormat: (c) => `X ${c[0].toFixed(1)}  Y ${c[1].toFixed(1)} m`});
  const map = new ol.Map({
    target: 'map', layers: [...baseLayers, findingLayer, selectedLayer],
    controls: [new ol.control.Zoom(), new ol.control.ZoomToExtent({extent,
      label: '⤢', tipLabel: T.zoom_all}), scale, mousePosition],
    view: new ol.View({projection, constrainResolution: false}),
  });
  map.getView().fit(ol.extent.buffer(extent, pad), {size: map.getSize() || [800, 600]});
  // The labels join the map once their font is ready, so that the map is not drawn again
  // (every finding with it) when the font arrives.
  const fontReady = DATA.embeddedFont && document.fonts ?
    document.fonts.load(`13px '${DATA.embeddedFont}'`, labels.map((l) => l.style.getText()
      .getText()).join('')).catch(() => null) : Promise.resolve();
  fontReady.then(() => map.getLayers().insertAt(baseLayers.length + 1, labelLayer));

  // Hover tooltip.
  const tip = document.createElement('div');
  tip.className = 'ol-tooltip';
  const tipOverlay = new ol.Overlay({element: tip, offset: [12, 0], positioning: 'center-left'});
  map.addOverlay(tipOverlay);
  function hitFinding(pixel) {
    let hit = null;
    map.forEachFeatureAtPixel(pixel, (f) => { hit = f; return true; },
      {layerFilter: (l) => l === findingLayer, hitTolerance: 4});
    return hit;
  }
  function hitDivision(pixel) {
    let hit = null;
    map.forEachFeatureAtPixel(pixel, (f) => { if (f.get('label')) { hit = f; return true; } },
      {layerFilter: (l) => l !== findingLayer && l !== labelLayer});
    return hit;
  }
  map.on('pointermove', (e) => {
    if (e.dragging) return;
    const f = hitFinding(e.pixel);
    if (f) {
      const r = f.get('rec');
      tip.textContent = `${r.id} · ${r.label}${r.value ? ' · ' + r.value : ''}`;
      tipOverlay.setPosition(e.coordinate);
      map.getTargetElement().style.cursor = 'pointer';
      return;
    }
    const d = hitDivision(e.pixel);
    tip.textContent = d ? [d.get('label'), d.get('code')].filter(Boolean).join(' ') : '';
    tipOverlay.setPosition(d ? e.coordinate : undefined);
    map.getTargetElement().style.cursor = '';
  });
  map.on('singleclick', (e) => {
    const f = hitFinding(e.pixel);
    if (f) select(f.get('rec'), {zoom: false, scroll: true});
  });

  // Details of the selected finding.
  const popup = document.getElementById('popup');
  function showDetails(rec) {
    const place = rec.lonlat ? `${rec.lonlat[0].toFixed(5)}, ${rec.lonlat[1].toFixed(5)}<br>` +
      `<span class="muted">X ${rec.xy[0].toFixed(1)}, Y ${rec.xy[1].toFixed(1)}</span>` : T.no_place;
    const sev = rec.excepted ? `${T[rec.sev]} (${T.excepted})` : T[rec.sev];
    popup.innerHTML = `<button class="close" aria-label="×">×</button>` +
      `<b>${esc(rec.id)}</b> <span class="dot ${rec.excepted ? 'excepted' : rec.sev}"></span>` +
      `${esc(sev)}<table>` +
      `<tr><th>${esc(T.code)}</th><td>${esc(rec.label)} <code>${esc(rec.code)}</code></td></tr>` +
      `<tr><th>${esc(T.subject)}</th><td>${esc(rec.subject)}</td></tr>` +
      (rec.value ? `<tr><th>${esc(T.value)}</th><td>${esc(rec.value)}</td></tr>` : '') +
      `<tr><th>${esc(T.place)}</th><td>${place}</td></tr>` +
      `<tr><th>${esc(T.message)}</th><td>${esc(rec.message)}</td></tr></table>`;
    popup.hidden = false;
    popup.querySelector('.close').onclick = () => { popup.hidden = true; select(null); };
  }

  function zoomTo(rec) {
    if (!rec.feature) return;
    const view = map.getView();
    const ext = rec.bbox;
    const size = map.getSize();
    const minSide = 400;  // metres: never zoom closer than this
    const box = ol.extent.buffer(ext, Math.max(0, (minSide - Math.max(
      ol.extent.getWidth(ext), ol.extent.getHeight(ext))) / 2));
    view.fit(ol.extent.buffer(box, Math.max(ol.extent.getWidth(box), ol.extent.getHeight(box))
      * 0.15), {size, duration: 0});
  }

  // ---- findings list: a page of rows at a time, drawn from DATA ---------------------------
  const PAGE = DATA.pageRows;
  const groups = [];
  document.querySelectorAll('table.findings').forEach((table) => {
    const sev = table.dataset.severity;
    const group = {sev, table, tbody: table.tBodies[0], nav: table.nextElementSibling, page: 0,
      all: [...byId.values()].filter((r) => r.sev === sev), items: [], printing: false};
    group.items = group.all;
    table.group = group;
    groups.push(group);
    group.tbody.addEventListener('click', (e) => {
      const tr = e.target.closest('tr');
      if (!tr) return;
      if (e.target.closest('a')) e.preventDefault();
      select(byId.get(tr.dataset.id), {zoom: true, scroll: false});
    });
    group.nav.addEventListener('click', (e) => {
      const step = e.target.dataset && e.target.dataset.step;
      if (!step) return;
      group.page += Number(step);
      renderGroup(group);
    });
  });
  const groupOf = (rec) => groups.find((g) => g.sev === rec.sev);

  function rowHtml(r) {
    const status = r.excepted ? 'excepted' : 'open';
    const where = r.lonlat ? `<span title="${esc(T.lonlat)}">${r.lonlat[0].toFixed(5)}, ` +
      `${r.lonlat[1].toFixed(5)}</span><br><span class="muted" title="${esc(T.zone)}">` +
      `${fmt1(r.xy[0])}, ${fmt1(r.xy[1])}</span>` : `<span class="muted">${esc(T.no_place)}</span>`;
    const value = esc(r.value) + (r.limit ? `<br><span class="muted">${esc(T.limit)} ` +
      `${esc(r.limit)}</span>` : '');
    const tag = r.excepted ? ` <span class="tag">${esc(T.excepted)}</span>` : '';
    return `<tr class="${status}${r === selected ? ' selected' : ''}" data-id="${esc(r.id)}" ` +
      `data-code="${esc(r.code)}"><td class="fid"><a href="#${esc(r.id)}">${esc(r.id)}</a></td>` +
      `<td class="label">${esc(r.label)}${tag}</td><td>${esc(r.subject)}</td>` +
      `<td class="num">${value}</td><td class="num">${where}</td><td>${esc(r.message)}</td></tr>`;
  }
  const NF1 = new Intl.NumberFormat('en-US', {minimumFractionDigits: 1, maximumFractionDigits: 1});
  const fmt1 = (v) => NF1.format(v);

  function renderGroup(group) {
    const pages = Math.max(1, Math.ceil(group.items.length / PAGE));
    group.page = Math.max(0, Math.min(group.page, pages - 1));
    const shown = group.printing ? group.items :
      group.items.slice(group.page * PAGE, (group.page + 1) * PAGE);
    group.tbody.innerHTML = shown.map(rowHtml).join('');
    if (pages <= 1 || group.printing) { group.nav.innerHTML = ''; return; }
    group.nav.innerHTML = `<button data-step="-1"${group.page === 0 ? ' disabled' : ''}>` +
      `${esc(T.previous)}</button><span>` +
      `${esc(T.page.replace('{page}', group.page + 1).replace('{pages}', pages))}</span>` +
      `<button data-step="1"${group.page >= pages - 1 ? ' disabled' : ''}>${esc(T.next)}</button>`;
  }
  const rowOf = (rec) => document.querySelector(`table.findings tr[data-id="${CSS.escape(rec.id)}"]`);

  function showInList(rec) {
    const group = groupOf(rec);
    if (!group) return null;
    group.table.closest('details').open = true;
    const k = group.items.indexOf(rec);
    if (k >= 0 && Math.floor(k / PAGE) !== group.page) {
      group.page = Math.floor(k / PAGE);
      renderGroup(group);
    }
    return rowOf(rec);
  }

  function select(rec, opts = {}) {
    const old = selected && rowOf(selected);
    if (old) old.classList.remove('selected');
    selected = rec;
    selectedSource.clear(true);
    if (!rec) return;
    if (rec.feature) selectedSource.addFeature(rec.feature.clone());
    const tr = showInList(rec);
    if (tr) {
      tr.classList.add('selected');
      if (opts.scroll) tr.scrollIntoView({block: 'center'});
    }
    if (opts.zoom) zoomTo(rec);
    showDetails(rec);
    if (location.hash !== '#' + rec.id) history.replaceState(null, '', '#' + rec.id);
  }

  // ---- filters ---------------------------------------------------------------------------
  const form = document.getElementById('filters');
  function applyFilters() {
    const on = (name) => new Set([...form.querySelectorAll(`input[name=${name}]:checked`)]
      .map((i) => i.value));
    const checks = on('check'), sevs = on('severity'), status = on('status');
    for (const rec of byId.values()) {
      rec.visible = checks.has(rec.code.split('.')[0]) && sevs.has(rec.sev) &&
        status.has(rec.excepted ? 'excepted' : 'open');
    }
    for (const g of groups) {
      g.items = g.all.filter((r) => r.visible);
      renderGroup(g);
    }
    findingLayer.changed();
  }
  if (form) form.addEventListener('change', applyFilters);

  // ---- legend ----------------------------------------------------------------------------
  const legend = document.getElementById('legend');
  let html = `<b>${esc(T.legend)}</b>`;
  for (const sev of ['error', 'warning', 'info', 'excepted']) {
    const n = [...byId.values()].filter((r) => (sev === 'excepted' ? r.excepted :
      !r.excepted && r.sev === sev)).length;
    if (!n) continue;
    html += `<div class="row"><span class="sym" style="background:${fillOf(C[sev], 0.4)};` +
      `border:2px solid ${C[sev]}"></span>${esc(T[sev])} (${n})</div>`;
  }
  for (const layer of DATA.layers) {
    const css = layer.kind === 'polygon' ? `background:${layer.colour};border:1px solid #666` :
      layer.kind === 'line' ? `border-top:${layer.dashed ? '2px dashed' : '3px solid'} ` +
        `${layer.colour};height:0` : `background:${layer.colour};clip-path:polygon(50% 0,100% 100%,0 100%)`;
    html += `<div class="row"><span class="sym" style="${css}"></span>${esc(layer.name)}</div>`;
  }
  if (unplaced.length) {
    html += `<div class="row unplaced" title="${esc(T.no_place_note)}">${esc(T.no_place)}: ` +
      unplaced.map((r) => `<a href="#${esc(r.id)}" data-id="${esc(r.id)}">${esc(r.id)}</a>`)
        .join(' ') + '</div>';
  }
  html += `<div class="crs">${esc(T.crs)}: ${esc(DATA.crs)}</div>`;
  legend.innerHTML = html;
  legend.addEventListener('click', (e) => {
    const a = e.target.closest('a[data-id]');
    if (a) { e.preventDefault(); select(byId.get(a.dataset.id), {scroll: true}); }
  });

  // ---- search a division -----------------------------------------------------------------
  const search = document.getElementById('search');
  const list = document.getElementById('division-names');
  const result = document.getElementById('search-result');
  list.innerHTML = divisions.map(([name, code]) =>
    `<option value="${esc([name, code].filter(Boolean).join(' '))}">`).join('');
  function find(q) {
    q = q.trim();
    if (!q) return null;
    return divisions.find(([n, c]) => [n, c].filter(Boolean).join(' ') === q) ||
      divisions.find(([n, c]) => n === q || c === q) ||
      divisions.find(([n, c]) => (n && n.includes(q)) || (c && c.startsWith(q)));
  }
  function onSearch() {
    const hit = find(search.value);
    result.textContent = search.value.trim() && !hit ? T.not_found : '';
    if (hit) map.getView().fit(hit[2].getGeometry().getExtent(), {padding: [40, 40, 40, 40]});
  }
  search.addEventListener('change', onSearch);
  search.addEventListener('keydown', (e) => { if (e.key === 'Enter') onSearch(); });

  // Links to a finding (#F00012) select it; summary links open their group.
  function fromHash() {
    const rec = byId.get(decodeURIComponent(location.hash.slice(1)));
    if (rec) select(rec, {zoom: true, scroll: true});
  }
  document.addEventListener('click', (e) => {
    const a = e.target.closest('a[href^="#"]');
    if (!a || a.closest('table.findings')) return;
    const rec = byId.get(decodeURIComponent(a.getAttribute('href').slice(1)));
    if (rec) { e.preventDefault(); select(rec, {zoom: true, scroll: true}); return; }
    const code = a.dataset.code;
    const first = code && [...byId.values()].find((r) => r.code === code && r.visible);
    if (first) {
      e.preventDefault();
      const tr = showInList(first);
      if (tr) tr.scrollIntoView({block: 'start'});
    }
  });
  window.addEventListener('hashchange', fromHash);
  window.addEventListener('beforeprint', () => {
    document.querySelectorAll('details').forEach((d) => { d.open = true; });
    groups.forEach((g) => { g.printing = true; renderGroup(g); });
  });
  window.addEventListener('afterprint', () => groups.forEach((g) => {
    g.printing = false;
    renderGroup(g);
  }));

  // For tests and the console: what the map shows.
  window.geonamesReport = {
    map, findingLayer, select: (id) => select(byId.get(id), {zoom: true}),
    showInList: (id) => !!showInList(byId.get(id)),
    findingsOnMap: () => findingSource.getFeatures().length,
    rowsInList: () => groups.reduce((n, g) => n + g.all.length, 0),
    shownOnMap: () => [...byId.values()].filter((r) => r.feature && r.visible).length,
    shownInList: () => groups.reduce((n, g) => n + g.items.length, 0),
    unplaced: () => unplaced.map((r) => r.id),
    ready: false, timing: {scriptStart: T0, scriptEnd: 0, rendered: 0},
  };
  window.geonamesReport.timing.scriptEnd = performance.now();
  map.once('rendercomplete', () => {
    window.geonamesReport.timing.rendered = performance.now();
    window.geonamesReport.ready = true;
  });
  groups.forEach(renderGroup);
  if (location.hash) fromHash();
})();
