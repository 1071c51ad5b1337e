// Outpost console: renders the live snapshots of /ui/events; actions go to the admin API with the session's CSRF token.
(function () {
  'use strict';
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var HISTORY = 180; // points kept per chart (three minutes at one snapshot per second)
  var series = { t: [], inRate: [], outRate: [], depth: [], drain: [], up: [] };
  var charts = {};
  var rendered = {};
  var inflight = 0; // htmx requests under way: their buttons must stay in the page until the answer is shown

  function $(id) { return document.getElementById(id); }

  function text(id, value) { $(id).textContent = value === null || value === undefined ? '–' : String(value); }

  function flash(message, bad) {
    var el = $('flash');
    el.textContent = message;
    el.className = bad ? 'bad' : '';
  }

  function toLogin() { window.location.assign('/ui/login'); }

  function duration(seconds) {
    if (seconds === null || seconds === undefined) { return '–'; }
    if (seconds < 60) { return seconds + ' s'; }
    if (seconds < 3600) { return Math.floor(seconds / 60) + ' min ' + (seconds % 60) + ' s'; }
    return Math.floor(seconds / 3600) + ' h ' + Math.floor((seconds % 3600) / 60) + ' min';
  }

  function when(iso) {
    if (!iso) { return '–'; }
    var d = new Date(iso);
    return isNaN(d.getTime()) ? iso : d.toLocaleString();
  }

  function cell(row, value, cls) {
    var td = document.createElement('td');
    td.textContent = value === null || value === undefined ? '–' : String(value);
    if (cls) { td.className = cls; }
    row.appendChild(td);
    return td;
  }

  function actionButton(row, label, verb, url, extra) {
    var td = document.createElement('td');
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('hx-' + verb, url);
    b.setAttribute('hx-swap', 'none');
    Object.keys(extra || {}).forEach(function (k) { b.setAttribute(k, extra[k]); });
    td.appendChild(b);
    row.appendChild(td);
    return b;
  }

  /** Replaces a table body when its data changed (so buttons are not rebuilt under the pointer every second). */
  function table(id, rows, build) {
    var key = JSON.stringify(rows || []);
    if (rendered[id] === key || inflight > 0) { return; }
    rendered[id] = key;
    var tbody = $(id).querySelector('tbody');
    tbody.textContent = '';
    (rows || []).forEach(function (item) {
      var tr = document.createElement('tr');
      build(tr, item);
      tbody.appendChild(tr);
    });
    if (window.htmx) { window.htmx.process(tbody); }
  }

  function pairs(id, object) {
    var dl = $(id);
    dl.textContent = '';
    Object.keys(object || {}).forEach(function (k) {
      var v = object[k];
      if (v !== null && typeof v === 'object') { v = JSON.stringify(v); }
      var dt = document.createElement('dt');
      dt.textContent = k;
      var dd = document.createElement('dd');
      dd.textContent = v === null || v === undefined ? '–' : String(v);
      dd.setAttribute('data-key', k);
      dl.appendChild(dt);
      dl.appendChild(dd);
    });
  }

  function chart(id, labels, colors, yRange) {
    if (!window.uPlot) { return null; }
    var el = $(id);
    var opts = {
      width: Math.max(240, el.clientWidth),
      height: el.classList.contains('small') ? 100 : 160,
      scales: yRange ? { x: { time: true }, y: { range: yRange } } : { x: { time: true } },
      legend: { live: false },
      series: [{}].concat(labels.map(function (label, i) {
        return { label: label, stroke: colors[i], width: 2 };
      }))
    };
    var data = [[]].concat(labels.map(function () { return []; }));
    return new window.uPlot(opts, data, el);
  }

  function push(name, value) {
    series[name].push(value);
    if (series[name].length > HISTORY) { series[name].shift(); }
  }

  function render(s) {
    var status = s.status || {};
    var rates = s.rates || {};
    var spool = status.spool || {};
    var cloud = status.cloud || {};

    text('version', 'v' + status.version + ', up ' + duration(status.uptimeSeconds));
    $('ready').textContent = status.ready ? 'ready' : 'not ready';
    $('ready').className = 'badge ' + (status.ready ? 'ok' : 'bad');
    text('rate-in', rates.inPerSecond);
    text('rate-out', rates.outPerSecond);
    text('total-in', rates.receivedTotal);
    text('total-out', rates.deliveredTotal);
    text('spool-depth', spool.depth);
    text('drain-rate', rates.drainPerSecond);
    text('drain-eta', spool.depth === 0 ? 'empty' : duration(rates.drainEtaSeconds));
    text('cloud-state', cloud.state);
    $('cloud-state').className = 'big state-' + cloud.state;
    text('cloud-detail', cloud.lastError ? 'last error: ' + cloud.lastError
      : (cloud.configured ? 'offline for ' + duration(cloud.offlineSeconds) : 'no cloud link configured'));
    pairs('cloud', cloud);

    var t = Date.parse(s.at) / 1000;
    push('t', t);
    push('inRate', rates.inPerSecond);
    push('outRate', rates.outPerSecond);
    push('depth', spool.depth);
    push('drain', rates.drainPerSecond);
    push('up', cloud.state === 'online' ? 1 : 0);
    if (!charts.rates) {
      charts.rates = chart('chart-rates', ['in', 'out'], ['#2f6fdf', '#127a3a']);
      charts.spool = chart('chart-spool', ['depth', 'drain/s'], ['#b54708', '#6941c6']);
      charts.link = chart('chart-link', ['link up'], ['#127a3a'], [0, 1]);
    }
    if (charts.rates) {
      charts.rates.setData([series.t, series.inRate, series.outRate]);
      charts.spool.setData([series.t, series.depth, series.drain]);
      charts.link.setData([series.t, series.up]);
    }

    var clients = s.clients || [];
    text('client-count', clients.length);
    table('clients', clients, function (tr, c) {
      tr.setAttribute('data-client', c.clientId);
      cell(tr, c.clientId);
      cell(tr, c.protocol);
      cell(tr, c.remoteAddress);
      cell(tr, when(c.connectedAt));
      cell(tr, c.subscriptions);
      actionButton(tr, 'Disconnect', 'delete', '/api/clients/' + encodeURIComponent(c.clientId),
        { 'class': 'danger', 'data-action': 'disconnect' });
    });

    table('functions', status.functions || [], function (tr, f) {
      tr.setAttribute('data-function', f.name);
      cell(tr, f.name);
      cell(tr, f.version);
      cell(tr, f.state, 'state-' + f.state);
      cell(tr, f.invocations);
      cell(tr, f.failures);
      var hits = s.limitHits || {};
      cell(tr, f.limitHits !== undefined ? f.limitHits : (hits[f.name] || 0));
      cell(tr, f.lastError, 'wrap');
      if (f.previousVersions && f.previousVersions.length) {
        actionButton(tr, 'Roll back to ' + f.previousVersions[0], 'post',
          '/api/functions/' + encodeURIComponent(f.name) + '/rollback', { 'data-action': 'rollback' });
      } else {
        cell(tr, '');
      }
      var logs = document.createElement('button');
      logs.type = 'button';
      logs.textContent = 'Logs';
      logs.setAttribute('data-action', 'logs');
      logs.setAttribute('data-name', f.name);
      var td = document.createElement('td');
      td.appendChild(logs);
      tr.appendChild(td);
    });

    var dead = s.deadLetters || [];
    text('dead-count', spool.deadLetters);
    table('dead-letters', dead, function (tr, d) {
      tr.setAttribute('data-dead-letter', d.id);
      cell(tr, d.id);
      cell(tr, d.route);
      cell(tr, d.topic);
      cell(tr, d.payloadBytes);
      cell(tr, d.reason, 'wrap');
      cell(tr, when(d.deadAt));
      var td = actionButton(tr, 'Retry', 'post', '/api/spool/dead-letters/' + d.id + '/retry',
        { 'data-action': 'retry' }).parentNode;
      var del = document.createElement('button');
      del.type = 'button';
      del.textContent = 'Delete';
      del.className = 'danger';
      del.setAttribute('data-action', 'delete');
      del.setAttribute('hx-delete', '/api/spool/dead-letters/' + d.id);
      del.setAttribute('hx-swap', 'none');
      del.setAttribute('hx-confirm', 'Delete dead letter ' + d.id + ' for good?');
      td.appendChild(document.createTextNode(' '));
      td.appendChild(del);
    });

    var config = {};
    Object.keys(status.config || {}).forEach(function (k) { config[k] = status.config[k]; });
    var reload = status.lastReload;
    config['last reload'] = reload ? when(reload.at) + (reload.accepted ? ': ' : ': REJECTED, ') + reload.summary
      : 'none since start';
    pairs('config', config);
  }

  function describe(body) {
    try {
      var json = JSON.parse(body);
      if (json.message) { return json.message; }
      return Object.keys(json).map(function (k) { return k + ' ' + json[k]; }).join(', ');
    } catch (e) {
      return body;
    }
  }

  /** The function log shown live under the functions table (one at a time). */
  var LOG_LINES = 500;
  var logStream = null;

  function showLogs(name) {
    closeLogs();
    $('logs-name').textContent = name;
    $('logs-lines').textContent = '';
    $('function-logs').hidden = false;
    $('logs-state').textContent = 'connecting';
    logStream = new EventSource('/api/functions/' + encodeURIComponent(name) + '/logs?follow=true&lines=200');
    logStream.onopen = function () {
      $('logs-lines').textContent = ''; // the stream starts with the recent history again
      $('logs-state').textContent = 'live';
      $('logs-state').className = 'badge ok';
    };
    logStream.onmessage = function (e) {
      var l = JSON.parse(e.data);
      var pre = $('logs-lines');
      var atEnd = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      var line = document.createElement('div');
      line.className = 'level-' + l.level;
      line.textContent = l.time + ' ' + l.level + ' ' + l.source + (l.invocation ? ' [' + l.invocation + ']' : '') + ' ' + l.message;
      pre.appendChild(line);
      while (pre.childNodes.length > LOG_LINES) { pre.removeChild(pre.firstChild); }
      if (atEnd) { pre.scrollTop = pre.scrollHeight; }
    };
    logStream.onerror = function () { $('logs-state').textContent = 'reconnecting'; $('logs-state').className = 'badge bad'; };
  }

  function closeLogs() {
    if (logStream) { logStream.close(); logStream = null; }
    $('function-logs').hidden = true;
  }

  function start() {
    $('functions').addEventListener('click', function (e) {
      var b = e.target.closest('button[data-action="logs"]');
      if (b) { showLogs(b.getAttribute('data-name')); }
    });
    $('logs-close').addEventListener('click', closeLogs);
    document.body.addEventListener('htmx:configRequest', function (e) {
      e.detail.headers['X-CSRF-Token'] = csrf;
    });
    document.body.addEventListener('htmx:beforeRequest', function () { inflight++; });
    document.body.addEventListener('htmx:afterRequest', function (e) {
      inflight = Math.max(0, inflight - 1);
      var xhr = e.detail.xhr;
      if (xhr.status === 401) { toLogin(); return; }
      flash(describe(xhr.responseText || ''), !e.detail.successful);
    });
    $('logout').addEventListener('click', function () {
      fetch('/ui/logout', { method: 'POST', headers: { 'X-CSRF-Token': csrf } }).then(toLogin, toLogin);
    });
    $('deploy').addEventListener('submit', function (e) {
      e.preventDefault();
      var file = $('deploy-file').files[0];
      if (!file) { flash('choose a .jar or .zip first', true); return; }
      var type = /\.zip$/i.test(file.name) ? 'application/zip' : 'application/java-archive';
      fetch('/api/functions', { method: 'POST', body: file, headers: { 'Content-Type': type, 'X-CSRF-Token': csrf } })
        .then(function (r) {
          return r.text().then(function (body) {
            flash(r.ok ? 'deployed ' + describe(body) : describe(body), !r.ok);
          });
        }, function () { flash('the daemon did not answer', true); });
    });
    window.addEventListener('resize', function () {
      Object.keys(charts).forEach(function (k) {
        var el = charts[k].root.parentNode;
        charts[k].setSize({ width: Math.max(240, el.clientWidth), height: charts[k].height });
      });
    });

    var events = new EventSource('/ui/events');
    events.addEventListener('snapshot', function (e) {
      $('feed').textContent = 'live';
      $('feed').className = 'badge ok';
      render(JSON.parse(e.data));
    });
    events.addEventListener('logout', function () { events.close(); toLogin(); });
    events.onerror = function () {
      $('feed').textContent = 'reconnecting';
      $('feed').className = 'badge bad';
      // a session that ended (idle, signed out elsewhere, daemon restarted) cannot reconnect: sign in again
      fetch('/ui/session', { method: 'GET' }).then(function (r) {
        if (r.status === 401) { events.close(); toLogin(); }
      }, function () { /* daemon unreachable: EventSource keeps retrying */ });
    };
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
