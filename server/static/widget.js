/* Nexus chat widget. One tag on any page mounts it in a shadow root:
 *
 *   <script src="https://nexus.example/widget.js" data-token="…"></script>          (mounts at once)
 *   <script src="https://nexus.example/widget.js"></script>
 *   <script>NexusWidget.mount({ token: "…", baseUrl: "https://nexus.example" })</script>
 *
 * The host page supplies the access token (and may replace it with widget.setToken). Answers stream from
 * POST /v1/chat (server-sent events read with fetch, since EventSource cannot send a bearer token); model output is
 * rendered as markdown by building DOM nodes, never through innerHTML, so it cannot inject markup.
 */
(function () {
  "use strict";

  var scriptEl = document.currentScript;
  var scriptBase = scriptEl && scriptEl.src ? new URL(scriptEl.src, location.href).origin : location.origin;

  // ---------------------------------------------------------------- tiny DOM helpers
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (key) {
        if (key === "text") node.textContent = attrs[key];
        else if (key === "className") node.className = attrs[key];
        else if (key.slice(0, 2) === "on") node.addEventListener(key.slice(2), attrs[key]);
        else node.setAttribute(key, attrs[key]);
      });
    }
    (children || []).forEach(function (child) {
      if (child !== null && child !== undefined) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  // ---------------------------------------------------------------- safe markdown (subset) → DOM
  function renderInline(text, parent) {
    // `code`, **bold**, *em*, [label](http…) — everything else is text.
    var pattern = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*\s][^*]*\*|\[[^\]]+\]\((https?:\/\/[^)\s]+)\))/g;
    var last = 0;
    var match;
    while ((match = pattern.exec(text)) !== null) {
      if (match.index > last) parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var token = match[0];
      if (token[0] === "`") parent.appendChild(el("code", { text: token.slice(1, -1) }));
      else if (token.slice(0, 2) === "**") parent.appendChild(el("strong", { text: token.slice(2, -2) }));
      else if (token[0] === "*") parent.appendChild(el("em", { text: token.slice(1, -1) }));
      else {
        var label = token.slice(1, token.indexOf("]"));
        parent.appendChild(el("a", { text: label, href: match[2], target: "_blank", rel: "noopener noreferrer" }));
      }
      last = match.index + token.length;
    }
    if (last < text.length) parent.appendChild(document.createTextNode(text.slice(last)));
    return parent;
  }

  function splitRow(line) {
    var trimmed = line.trim().replace(/^\|/, "").replace(/\|$/, "");
    return trimmed.split("|").map(function (cell) { return cell.trim(); });
  }

  function isTableSeparator(line) {
    return /^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$/.test(line);
  }

  function renderMarkdown(source) {
    var root = el("div", { className: "md" });
    var lines = source.replace(/\r\n/g, "\n").split("\n");
    var i = 0;
    while (i < lines.length) {
      var line = lines[i];
      if (/^```/.test(line)) {
        var code = [];
        i += 1;
        while (i < lines.length && !/^```/.test(lines[i])) { code.push(lines[i]); i += 1; }
        i += 1;
        root.appendChild(el("pre", null, [el("code", { text: code.join("\n") })]));
      } else if (/^\s*\|.*\|\s*$/.test(line) && i + 1 < lines.length && isTableSeparator(lines[i + 1])) {
        var table = el("table");
        var head = el("tr");
        splitRow(line).forEach(function (cell) { head.appendChild(renderInline(cell, el("th"))); });
        table.appendChild(el("thead", null, [head]));
        var body = el("tbody");
        i += 2;
        while (i < lines.length && /^\s*\|.*\|\s*$/.test(lines[i])) {
          var row = el("tr");
          splitRow(lines[i]).forEach(function (cell) { row.appendChild(renderInline(cell, el("td"))); });
          body.appendChild(row);
          i += 1;
        }
        table.appendChild(body);
        root.appendChild(el("div", { className: "table-wrap" }, [table]));
      } else if (/^#{1,4}\s/.test(line)) {
        var level = Math.min(line.match(/^#+/)[0].length + 2, 6);
        root.appendChild(renderInline(line.replace(/^#+\s*/, ""), el("h" + level)));
        i += 1;
      } else if (/^\s*([-*]|\d+[.)])\s+/.test(line)) {
        var ordered = /^\s*\d/.test(line);
        var list = el(ordered ? "ol" : "ul");
        while (i < lines.length && /^\s*([-*]|\d+[.)])\s+/.test(lines[i])) {
          list.appendChild(renderInline(lines[i].replace(/^\s*([-*]|\d+[.)])\s+/, ""), el("li")));
          i += 1;
        }
        root.appendChild(list);
      } else if (line.trim() === "") {
        i += 1;
      } else {
        var para = [];
        while (i < lines.length && lines[i].trim() !== "" && !/^```|^#{1,4}\s|^\s*([-*]|\d+[.)])\s+/.test(lines[i])
               && !(/^\s*\|.*\|\s*$/.test(lines[i]) && i + 1 < lines.length && isTableSeparator(lines[i + 1]))) {
          para.push(lines[i]);
          i += 1;
        }
        root.appendChild(renderInline(para.join("\n"), el("p")));
      }
    }
    return root;
  }

  // ---------------------------------------------------------------- SSE over fetch
  async function readSSE(response, onEvent, signal) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    while (true) {
      if (signal && signal.aborted) return;
      var chunk = await reader.read();
      if (chunk.done) break;
      buffer += decoder.decode(chunk.value, { stream: true }).replace(/\r\n/g, "\n");
      var cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        var block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        var name = "message";
        var data = [];
        block.split("\n").forEach(function (line) {
          if (line.indexOf("event:") === 0) name = line.slice(6).trim();
          else if (line.indexOf("data:") === 0) data.push(line.slice(5).replace(/^ /, ""));
        });
        if (data.length) {
          var payload;
          try { payload = JSON.parse(data.join("\n")); } catch (e) { payload = { text: data.join("\n") }; }
          onEvent(name, payload);
        }
      }
    }
  }

  function money(amount, currency) {
    return amount === null || amount === undefined ? "" : String(amount) + (currency ? " " + currency : "");
  }

  // ---------------------------------------------------------------- tables and charts from `table` events
  // A figure as the server formats it: "17,056,593.73", "-1,200.00 USD", "12.5%", "31 days". Right-aligned.
  var NUMERIC = /^[-\u2212]?[\d,]+(\.\d+)?(\s?(%|[A-Z]{3}|days?))?$/;
  var DATE = /^\d{1,2} [A-Z][a-z]{2} \d{4}$/;
  var NO_FIGURE = /^(no budget|n\/a|none|\u2014|-)$/i;
  var IDENTIFIER = /^(account|code|entry|ticket|line|employee|level|no\.?|id|number)$/i;

  function renderTable(data) {
    var columns = data.columns || [];
    var rows = data.rows || [];
    // Identifiers (account codes, entry and ticket numbers) look like numbers but read as names: left-aligned.
    var numeric = columns.map(function (name, c) {
      if (IDENTIFIER.test(String(name))) return false;
      var filled = rows.filter(function (row) { return String(row[c] || "").trim() !== ""; });
      var figures = filled.filter(function (row) { return NUMERIC.test(String(row[c]).trim()); });
      // A figure column may say so where it has none ("no budget", "n/a"): it stays a figure column.
      return figures.length > 0 && filled.every(function (row) {
        var text = String(row[c]).trim();
        return NUMERIC.test(text) || NO_FIGURE.test(text);
      });
    });
    var head = el("tr", null, columns.map(function (name, c) {
      return el("th", { className: numeric[c] ? "num" : "", scope: "col", text: name });
    }));
    var body = el("tbody", null, rows.map(function (row) {
      var total = row.some(function (cell) { return /^(total\b|net income$)/i.test(String(cell || "")); });
      return el("tr", { className: total ? "total" : "" }, row.map(function (cell, c) {
        var text = String(cell === null || cell === undefined ? "" : cell);
        // A sentence ("past close date; no activity for 53 days") keeps a readable width when the table is squeezed.
        var kind = numeric[c] ? "num" : DATE.test(text) ? "date" : text.length > 40 ? "long" : "";
        return el("td", { className: kind, text: text });
      }));
    }));
    var figure = el("figure", { className: "result-table" }, [
      el("figcaption", { text: data.title || "" }),
      el("div", { className: "table-wrap" }, [el("table", { className: "data" }, [el("thead", null, [head]), body])]),
    ]);
    if (data.series && data.series.points && data.series.points.length > 1) figure.appendChild(renderChart(data.series));
    return figure;
  }

  var SVG = "http://www.w3.org/2000/svg";

  function svg(tag, attrs, text) {
    var node = document.createElementNS(SVG, tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function compact(value) {
    var abs = Math.abs(value);
    if (abs >= 1e9) return (value / 1e9).toFixed(1) + "B";
    if (abs >= 1e6) return (value / 1e6).toFixed(1) + "M";
    if (abs >= 1e3) return (value / 1e3).toFixed(0) + "k";
    return String(Math.round(value * 100) / 100);
  }

  // A small line chart of a series (x: period labels, y: values); the exact figures are in the table above it.
  function renderChart(series) {
    var points = series.points.map(function (p) { return { x: String(p[0]), y: Number(p[1]) }; })
      .filter(function (p) { return isFinite(p.y); });
    var width = 360, height = 130, left = 44, right = 8, top = 10, bottom = 22;
    var ys = points.map(function (p) { return p.y; });
    var low = Math.min(0, Math.min.apply(null, ys)), high = Math.max.apply(null, ys);
    if (high === low) high = low + 1;
    function px(i) { return left + (points.length === 1 ? 0 : i * (width - left - right) / (points.length - 1)); }
    function py(v) { return top + (high - v) * (height - top - bottom) / (high - low); }
    var chart = svg("svg", { viewBox: "0 0 " + width + " " + height, width: "100%", role: "img",
                             "aria-label": series.label || "chart", class: "chart" });
    chart.appendChild(svg("title", {}, series.label || ""));
    chart.appendChild(svg("line", { x1: left, x2: width - right, y1: py(low), y2: py(low), class: "axis" }));
    [high, low].forEach(function (v) {
      chart.appendChild(svg("text", { x: left - 4, y: py(v) + 4, "text-anchor": "end", class: "tick" }, compact(v)));
    });
    chart.appendChild(svg("polyline", { points: points.map(function (p, i) { return px(i) + "," + py(p.y); }).join(" "),
                                        class: "line" }));
    points.forEach(function (p, i) {
      var dot = svg("circle", { cx: px(i), cy: py(p.y), r: 2.5, class: "dot" });
      dot.appendChild(svg("title", {}, p.x + ": " + p.y.toLocaleString()));
      chart.appendChild(dot);
    });
    [0, points.length - 1].forEach(function (i) {
      chart.appendChild(svg("text", { x: px(i), y: height - 6, "text-anchor": i === 0 ? "start" : "end", class: "tick" },
                            points[i].x));
    });
    return chart;
  }

  // ---------------------------------------------------------------- the widget
  function Widget(options) {
    this.token = options.token;
    this.baseUrl = (options.baseUrl || scriptBase).replace(/\/$/, "");
    this.threadId = options.threadId || null;
    this.title = options.title || "Nexus";
    this.host = el("div", { id: options.id || "nexus-widget" });
    (options.target || document.body).appendChild(this.host);
    this.shadow = this.host.attachShadow({ mode: "open" });
    this.counter = 0;
    this.build();
    this.openEvents();
  }

  Widget.prototype.build = function () {
    var self = this;
    var style = el("link", { rel: "stylesheet", href: this.baseUrl + "/widget.css" });
    this.badge = el("span", { className: "badge", title: "Approvals waiting for you", "data-count": "0", text: "0" });
    this.badge.hidden = true;
    this.log = el("div", { className: "log", role: "log", "aria-live": "polite" });
    this.input = el("textarea", { className: "input", rows: "2", placeholder: "Ask about your ERP…",
                                  "aria-label": "Message" });
    this.input.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); self.send(); }
    });
    this.sendButton = el("button", { className: "send", type: "button", text: "Send", onclick: function () { self.send(); } });
    // Wide tables (budget variances, deals with their reasons) read better in a wider panel than scrolled sideways.
    this.widen = el("button", { className: "widen", type: "button", title: "Wider panel", "aria-pressed": "false",
                                text: "\u2194", onclick: function () { self.toggleWide(); } });
    this.panel = el("section", { className: "panel", "aria-label": "Nexus assistant" }, [
      el("header", null, [el("span", { className: "title", text: this.title }),
                          el("span", { className: "tools" }, [this.badge, this.widen])]),
      this.log,
      el("footer", null, [this.input, this.sendButton]),
    ]);
    this.shadow.appendChild(style);
    this.shadow.appendChild(this.panel);
  };

  Widget.prototype.toggleWide = function () {
    var wide = this.panel.classList.toggle("wide");
    this.widen.setAttribute("aria-pressed", String(wide));
    this.widen.title = wide ? "Narrower panel" : "Wider panel";
  };

  Widget.prototype.setToken = function (token) {
    this.token = token;
    this.openEvents();
  };

  Widget.prototype.request = function (path, body) {
    return fetch(this.baseUrl + path, {
      method: body === undefined ? "GET" : "POST",
      headers: Object.assign({ Authorization: "Bearer " + this.token },
                             body === undefined ? {} : { "Content-Type": "application/json" }),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };

  Widget.prototype.append = function (node) {
    this.log.appendChild(node);
    this.log.scrollTop = this.log.scrollHeight;
    return node;
  };

  Widget.prototype.send = async function () {
    var text = this.input.value.trim();
    if (!text || this.busy) return;
    this.input.value = "";
    this.busy = true;
    this.sendButton.disabled = true;
    this.append(el("div", { className: "msg user" }, [el("p", { text: text })]));
    var turn = this.startTurn();
    try {
      var body = { message: text };
      if (this.threadId) body.thread_id = this.threadId;
      var response = await this.request("/v1/chat", body);
      if (!response.ok) {
        var problem = await response.json().catch(function () { return {}; });
        turn.error((problem.error && problem.error.message) || ("HTTP " + response.status));
      } else {
        await readSSE(response, turn.onEvent);
      }
    } catch (err) {
      turn.error("connection lost: " + err.message);
    } finally {
      turn.finish();
      this.busy = false;
      this.sendButton.disabled = false;
    }
  };

  Widget.prototype.startTurn = function () {
    var self = this;
    var messageId = "m" + (++this.counter);
    var answer = "";
    var box = this.append(el("div", { className: "msg assistant", "data-message-id": messageId }));
    var activity = el("ul", { className: "activity" });
    var body = el("div", { className: "answer" });
    var sources = el("ol", { className: "citations" });
    var cited = {};
    var tables = el("div", { className: "tables" });
    var chips = el("div", { className: "suggestions", role: "group", "aria-label": "Suggestions" });
    box.appendChild(activity);
    box.appendChild(body);
    box.appendChild(tables);
    var tools = {};
    var done = false;

    function redraw() {
      body.replaceChildren(renderMarkdown(answer));
      self.log.scrollTop = self.log.scrollHeight;
    }

    var turn = {
      onEvent: function (name, data) {
        if (name === "token") { answer += data.text || ""; redraw(); }
        else if (name === "tool_call") {
          var item = el("li", { className: "tool running", "data-tool": data.name },
                        [el("span", { className: "tool-name", text: data.name }), el("span", { className: "tool-status", text: " running…" })]);
          tools[data.id] = item;
          activity.appendChild(item);
        } else if (name === "tool_result") {
          var entry = tools[data.id];
          if (entry) {
            entry.className = "tool " + (data.ok ? "ok" : "failed");
            // The answer states the result in words; the tool's raw summary stays a tooltip unless the call failed.
            entry.querySelector(".tool-status").textContent = data.ok ? " ✓" : " ✗ " + (data.summary || "");
            entry.title = data.summary || "";
          }
        } else if (name === "table") {
          tables.appendChild(renderTable(data));
          self.log.scrollTop = self.log.scrollHeight;
        } else if (name === "suggestions") {
          (data.items || []).forEach(function (text) {
            chips.appendChild(el("button", { className: "chip", type: "button", text: text, onclick: function () {
              if (self.busy) return;
              self.input.value = text;
              self.send();
            } }));
          });
          if (!chips.parentNode) box.appendChild(chips);
        } else if (name === "citation") {
          if (!sources.parentNode) box.appendChild(el("div", { className: "sources" }, [el("span", { text: "Sources" }), sources]));
          // One line per document: several passages of one policy are one source to the reader.
          if (!cited[data.doc_id]) {
            cited[data.doc_id] = true;
            sources.appendChild(el("li", { title: data.snippet || "" }, [el("span", { className: "cite-title", text: data.title || data.doc_id })]));
          }
        } else if (name === "approval_required") {
          box.appendChild(self.approvalCard(data));
        } else if (name === "error") {
          turn.error(data.message || data.code);
        } else if (name === "done") {
          done = true;
          if (data.thread_id) self.threadId = data.thread_id;
          // The thread now waits for an approval that may take days (a leave request waits for the manager): the
          // next question starts a new conversation instead of being refused until someone decides. The card
          // keeps its approval id and the approvals list shows the outcome.
          if (data.pending_approval) {
            self.threadId = null;
            box.appendChild(el("p", { className: "note", text: "This request waits for approval. Ask on: new questions start a new conversation." }));
          }
        }
      },
      error: function (message) {
        box.appendChild(el("p", { className: "error", role: "alert", text: "⚠ " + message }));
      },
      finish: function () {
        box.classList.add("complete");
        if (done) box.appendChild(self.feedbackBar(messageId));
      },
    };
    return turn;
  };

  // ---------------------------------------------------------------- what a proposal changes, as a person reads it
  // A decimal the domain writes plainly ("1008000.00", "+42000.00") with thousands separators ("1,008,000.00").
  function figure(value) {
    var text = String(value);
    var m = /^([+-]?)(\d+)(\.\d+)?$/.exec(text);
    return m ? m[1] + m[2].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (m[3] || "") : text;
  }

  function words(key) {
    var text = String(key).replace(/_/g, " ");
    return text.charAt(0).toUpperCase() + text.slice(1);
  }

  // The impact of a proposal (tools/proposals.py and the domain tools): rows of records become a table, a change
  // {from, to} a line "amount: 50,000.00 → 60,000.00", anything else "Key: value". Never raw JSON.
  function impactView(impact) {
    var parts = [];
    Object.keys(impact).forEach(function (key) {
      var value = impact[key];
      if (Array.isArray(value) && value.length && typeof value[0] === "object") {
        parts.push(recordsTable(value));
      } else if (value && typeof value === "object") {
        parts.push(el("ul", null, Object.keys(value).map(function (name) {
          var item = value[name];
          var text = item && typeof item === "object" && "to" in item
            ? words(name) + ": " + figure(item.from === null || item.from === undefined ? "none" : item.from) +
              " \u2192 " + figure(item.to)
            : words(name) + ": " + figure(item);
          return el("li", { text: text });
        })));
      } else {
        parts.push(el("p", { text: words(key) + ": " + figure(value) }));
      }
    });
    return parts;
  }

  function recordsTable(records) {
    // An account reads as "6100 Rent Expense"; its currency heads the figures once.
    var accounts = "account_code" in records[0] && "account_name" in records[0];
    var currency = records.every(function (r) { return r.currency === records[0].currency; }) ? records[0].currency : null;
    var keys = Object.keys(records[0]).filter(function (k) {
      return !(accounts && (k === "account_code" || k === "account_name")) && !(currency && k === "currency");
    });
    var head = (accounts ? ["Account"] : []).concat(keys.map(function (k) {
      return words(k) + (currency && /^(before|change|after|amount)$/.test(k) ? " (" + currency + ")" : "");
    }));
    var rows = records.map(function (r) {
      var cells = accounts ? [el("td", { text: r.account_code + " " + r.account_name })] : [];
      return el("tr", null, cells.concat(keys.map(function (k) {
        var text = figure(r[k] === null || r[k] === undefined ? "" : r[k]);
        return el("td", { className: /^[+-]?[\d,]+(\.\d+)?$/.test(text) ? "num" : "", text: text });
      })));
    });
    return el("div", { className: "table-wrap" }, [el("table", { className: "records" }, [
      el("thead", null, [el("tr", null, head.map(function (h) { return el("th", { text: h }); }))]),
      el("tbody", null, rows)])]);
  }

  Widget.prototype.approvalCard = function (data) {
    var self = this;
    var draft = data.draft || {};
    var card = el("div", { className: "approval", "data-approval-id": data.approval_id });
    card.appendChild(el("h4", { text: "Approval needed" }));
    if (draft.memo || draft.summary) card.appendChild(el("p", { className: "memo", text: draft.memo || draft.summary }));
    var lines = draft.lines || [];
    if (lines.length) {
      var rows = lines.map(function (line) {
        return el("tr", null, [el("td", { text: String(line.account || line.account_code || "") }),
                               el("td", { className: "num", text: line.debit ? figure(line.debit) : "" }),
                               el("td", { className: "num", text: line.credit ? figure(line.credit) : "" })]);
      });
      card.appendChild(el("div", { className: "table-wrap" }, [el("table", { className: "draft" }, [
        el("thead", null, [el("tr", null, [el("th", { text: "Account" }), el("th", { text: "Debit" }), el("th", { text: "Credit" })])]),
        el("tbody", null, rows)])]));
    }
    var impact = impactView(data.impact || {});
    if (impact.length) card.appendChild(el("div", { className: "impact" }, [el("strong", { text: "Impact" })].concat(impact)));
    card.appendChild(el("p", { className: "approvers", text: "Approvers: " + (data.approvers || []).join(", ") }));
    var status = el("p", { className: "status", role: "status" });
    var reason = el("input", { className: "reason", type: "text", placeholder: "Reason (for a rejection)", maxlength: "500" });
    var approve = el("button", { className: "approve", type: "button", text: "Approve" });
    var reject = el("button", { className: "reject", type: "button", text: "Reject" });

    async function decide(kind) {
      var payload = kind === "approve" ? { payload_hash: data.payload_hash } : { reason: reason.value.trim() };
      if (kind === "reject" && !payload.reason) { status.textContent = "Give a reason to reject."; reason.focus(); return; }
      approve.disabled = reject.disabled = true;
      status.textContent = "Sending…";
      try {
        var response = await self.request("/v1/approvals/" + encodeURIComponent(data.approval_id) + "/" + kind, payload);
        var result = await response.json();
        if (!response.ok) {
          status.textContent = "Not done: " + ((result.error && result.error.message) || response.status);
          approve.disabled = reject.disabled = false;
          return;
        }
        card.classList.add("decided", result.status);
        status.textContent = (kind === "approve" ? "Approved" : "Rejected") + " — approval is " + result.status + ".";
        self.refreshBadge();
      } catch (err) {
        status.textContent = "Not done: " + err.message;
        approve.disabled = reject.disabled = false;
      }
    }

    approve.addEventListener("click", function () { decide("approve"); });
    reject.addEventListener("click", function () { decide("reject"); });
    card.appendChild(el("div", { className: "actions" }, [approve, reject, reason]));
    card.appendChild(status);
    return card;
  };

  Widget.prototype.feedbackBar = function (messageId) {
    var self = this;
    var bar = el("div", { className: "feedback" });
    function rate(rating) {
      return async function () {
        bar.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        var response = await self.request("/v1/feedback", { thread_id: self.threadId, rating: rating, message_id: messageId });
        bar.appendChild(el("span", { className: "thanks", text: response.ok ? " Thanks for the feedback." : " Could not save feedback." }));
      };
    }
    bar.appendChild(el("button", { className: "up", type: "button", title: "Helpful", "aria-label": "Thumbs up", text: "▲ Helpful", onclick: rate("up") }));
    bar.appendChild(el("button", { className: "down", type: "button", title: "Not helpful", "aria-label": "Thumbs down", text: "▼ Not helpful", onclick: rate("down") }));
    return bar;
  };

  Widget.prototype.setBadge = function (count) {
    this.badge.textContent = String(count);
    this.badge.setAttribute("data-count", String(count));
    this.badge.hidden = !count;
  };

  Widget.prototype.refreshBadge = async function () {
    try {
      var response = await this.request("/v1/approvals?status=pending");
      if (response.ok) this.setBadge((await response.json()).length);
    } catch (e) { /* the event stream will correct it */ }
  };

  // The live event stream: the pending-approvals badge is pushed here; reconnects with backoff.
  Widget.prototype.openEvents = function () {
    var self = this;
    if (this.events) this.events.abort();
    var controller = new AbortController();
    this.events = controller;
    var delay = 1000;
    (async function loop() {
      while (!controller.signal.aborted) {
        try {
          var response = await fetch(self.baseUrl + "/v1/events", {
            headers: { Authorization: "Bearer " + self.token }, signal: controller.signal });
          if (response.ok) {
            delay = 1000;
            await readSSE(response, function (name, data) {
              if (name === "approvals") self.setBadge(data.pending || 0);
            }, controller.signal);
          } else if (response.status === 401 || response.status === 403) {
            return;  // the host page has to supply a new token (setToken)
          }
        } catch (e) {
          if (controller.signal.aborted) return;
        }
        await new Promise(function (resolve) { setTimeout(resolve, delay); });
        delay = Math.min(delay * 2, 30000);
      }
    })();
  };

  Widget.prototype.destroy = function () {
    if (this.events) this.events.abort();
    this.host.remove();
  };

  var api = {
    mount: function (options) { return new Widget(options || {}); },
    renderMarkdown: renderMarkdown,
  };
  window.NexusWidget = api;

  if (scriptEl && scriptEl.dataset && scriptEl.dataset.token) {
    api.mount({ token: scriptEl.dataset.token, baseUrl: scriptEl.dataset.baseUrl || scriptBase });
  }
})();
