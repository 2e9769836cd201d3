"""The scripts :mod:`benchmarks.bench_load` puts in every tab: a counter of finished
runs read from Streamlit's WebSocket, the readiness check of a view, and a log of
the tab's last messages for the report of an error."""

# Streamlit's WebSocket carries one protobuf message per binary frame.  In the page:
# __benchRuns counts finished runs (ForwardMsg field 6 script_finished = 0, or 3 for a
# fragment; 2, stopped for a rerun, is not a finish) and __benchDone is the time of the
# last; __benchAsked the time of the last rerun request sent (BackMsg field 11).
COUNTER_JS = """
Object.assign(window, {__benchRuns: 0, __benchDone: -1, __benchAsked: -1, __benchIn: -1});
const topField = (data, wanted) => {  // the wire type and varint value of a top-level field
  const b = data instanceof ArrayBuffer ? new Uint8Array(data)
    : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  let i = 0;
  const varint = () => {
    let v = 0, s = 0, x;
    do { x = b[i++]; v += (x & 0x7f) * 2 ** s; s += 7; } while (x & 0x80 && i < b.length);
    return v;
  };
  while (i < b.length) {
    const key = varint(), field = Math.floor(key / 8), wire = key % 8;
    const value = wire === 0 ? varint() : wire === 2 ? varint() : 0;
    if (field === wanted) return [wire, value];
    if (wire === 2) i += value;
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else if (wire !== 0) return null;
  }
  return null;
};
// The last messages of the tab, for the report of an error: [ms, path, dir, field, value]
window.__benchLog = [];
const note = (dir, data) => {
  for (const f of [4, 6, 9, 11, 23]) {
    const found = topField(data, f);
    if (found) {
      window.__benchLog.push([Math.round(performance.now()), location.pathname, dir, f,
                              found[0] === 0 ? found[1] : ''].join(' '));
      if (window.__benchLog.length > 60) window.__benchLog.shift();
      return;
    }
  }
};
const received = data => {
  window.__benchIn = performance.now();
  note('in', data);
  const found = topField(data, 6);
  if (found && found[0] === 0 && (found[1] === 0 || found[1] === 3)) {
    window.__benchRuns += 1;
    window.__benchDone = performance.now();
  }
};
window.WebSocket = class extends window.WebSocket {
  constructor(...args) {
    super(...args);
    this.addEventListener('message', e => {
      if (e.data instanceof ArrayBuffer) received(e.data);
      else if (e.data instanceof Blob) e.data.arrayBuffer().then(received);
    });
  }
  send(data) {
    if ((data instanceof ArrayBuffer || ArrayBuffer.isView(data)) && topField(data, 11)) {
      window.__benchAsked = performance.now();
      note('out', data);
    }
    return super.send(data);
  }
};
"""
# Ready: a run finished after the action and after the last rerun request, none going
# on, nothing stale, the address; then the page's element.  A folium map must exist in
# its frame for QUIET_MS with no rerun asked (st_folium sends its first value 250 ms
# after the map's events, debounced; that rerun is then waited for).
# The same settled state on another address: the navigation was lost ("bounced") —
# but only when it has lasted BOUNCE_MS with no message arriving.  The counter sees a
# run's messages as they arrive on the socket; Streamlit's frontend handles them in
# order, asynchronously, and a busy tab can be seconds behind: the new run's
# script_finished may be counted while the frontend still shows the old page, its
# address and its "not running" state.  The 30-minute run of 2026-12-06 called 7 views
# "bounced"; the server had run no page twice, and the screenshots, taken a moment
# later, showed the page clicked.  An error's .log beside its screenshot lists the
# tab's last messages.
QUIET_MS, BOUNCE_MS = 600, 5000
READY_JS = """([path, selector, text, before, token]) => {
  const app = document.querySelector("[data-testid='stApp']");
  if (!app || window.__benchRuns <= before || window.__benchDone < window.__benchAsked)
    return false;
  if (app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (document.querySelector('[data-stale=true]')) return false;
  const here = location.pathname.replace(/^\\/+|\\/+$/g, '');
  if (here !== path) {  // a lost navigation only when nothing more comes
    const now = performance.now(), seen = window.__benchWrong;
    if (!seen || seen[0] !== here || seen[1] < window.__benchIn)
      window.__benchWrong = [here, now];
    else if (now - window.__benchWrong[1] >= %d) return 'bounced to /' + here;
    return false;
  }
  if (document.querySelector("[data-testid='stException']")) return 'exception box shown';
  const found = [...document.querySelectorAll(selector)].filter(e => e.innerText.includes(text));
  if (!found.length) return false;
  if (found[0].tagName === 'IFRAME') {
    const map = found[0].contentWindow && found[0].contentWindow.map;
    if (!map) return false;
    if (window.__benchToken !== token) [window.__benchToken, window.__benchSeen] =
      [token, performance.now()];
    if (performance.now() - window.__benchSeen < %d) return false;
  }
  return 'ready';
}""" % (BOUNCE_MS, QUIET_MS)
