// The memory console: routes, views and live updates over the server's /console/api endpoints.
// dom.js builds elements from text nodes only and events.js renders events; see docs/console.md.
"use strict";

(() => {
  const API = "/console/api";
  const HOME = "/console";
  const LIVE_INTERVAL_MS = 2000;
  const VIEW_PARAMS = ["memoryId", "actorId", "sessionId", "branch", "traceId", "namespace", "recordId", "order"];

  const main = document.getElementById("main");
  const crumbs = document.querySelector("#crumbs ol");
  const traceForm = document.getElementById("trace-form");
  const traceInput = document.getElementById("trace-input");
  const confirmDialog = document.getElementById("confirm-delete");

  let config = { traceUrl: null, traceIdKey: "traceId", spanIdKey: "spanId" };
  let stopView = () => {};
  let renderCount = 0;

  const { h, say, heading, details, code, errorBox, timeEl, pagedList, table } = window.ConsoleDom;

  // ---- URLs and navigation -----------------------------------------------------------------

  function currentParams() {
    const query = new URLSearchParams(location.search);
    const params = {};
    for (const name of VIEW_PARAMS) {
      const value = query.get(name);
      if (value) params[name] = value;
    }
    return params;
  }

  function viewUrl(params) {
    const query = new URLSearchParams();
    for (const name of VIEW_PARAMS) if (params[name]) query.set(name, params[name]);
    const text = query.toString();
    return text ? `${HOME}?${text}` : HOME;
  }

  /** A link to another console view; plain clicks stay in the page, others open as usual. */
  function viewLink(params, ...children) {
    return h("a", {
      href: viewUrl(params),
      onclick: (event) => {
        if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
        event.preventDefault();
        navigate(params);
      },
    }, ...children);
  }

  function navigate(params) {
    history.pushState(null, "", viewUrl(params));
    render({ focus: true });
  }

  function traceHref(traceId) {
    if (!config.traceUrl) return null;
    return config.traceUrl.split("{traceId}").join(encodeURIComponent(traceId));
  }

  /** A time of day in UTC, as event times are shown (e.g. "14:03:07 UTC"). */
  function utcTime(date) {
    return `${date.toISOString().slice(11, 19)} UTC`;
  }

  // ---- API ---------------------------------------------------------------------------------

  async function api(path, params, method = "GET") {
    const query = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) if (value) query.set(key, value);
    const response = await fetch(`${API}${path}?${query}`, { method, headers: { Accept: "application/json" } });
    let body = null;
    try {
      body = await response.json();
    } catch (_) {
      body = null;
    }
    if (!response.ok) {
      throw new Error((body && (body.error || body.message)) || `${response.status} ${response.statusText}`);
    }
    return body;
  }

  const eventView = window.ConsoleEvents.create({ viewLink, traceHref, getConfig: () => config });

  /** A command line as the page shows it: aimed at this server. */
  function here(command) {
    return `${command} --endpoint-url ${location.origin}`;
  }

  /** ``text`` as one shell word, quoted as Python's shlex.quote quotes it (the CLI's lines). */
  function shellQuote(text) {
    const value = String(text);
    if (value && /^[A-Za-z0-9_@%+=:,./-]+$/.test(value)) return value;
    return `'${value.replace(/'/g, `'"'"'`)}'`;
  }

  /** The fork command forking just after one event, onto a branch the session lacks. */
  function forkAtEvent({ memoryId, actorId, sessionId, eventId, branch }) {
    return ["agentcore-memory-otel fork", "--memory-id", shellQuote(memoryId), "--actor-id", shellQuote(actorId),
      "--session-id", shellQuote(sessionId), "--event-id", shellQuote(eventId), "--branch", shellQuote(branch)].join(" ");
  }

  function forkLine(label, command) {
    return h("p", { class: "fork-line small" }, `${label}: `, code(here(command), "fork-command"));
  }

  async function confirmDelete(event) {
    document.getElementById("confirm-event").textContent = event.eventId;
    confirmDialog.returnValue = "";
    confirmDialog.showModal();
    await new Promise((resolve) => confirmDialog.addEventListener("close", resolve, { once: true }));
    return confirmDialog.returnValue === "delete";
  }

  function deleter(memoryId) {
    return async (event, article) => {
      if (!(await confirmDelete(event))) return;
      try {
        await api("/event", { memoryId, actorId: event.actorId, sessionId: event.sessionId, eventId: event.eventId }, "DELETE");
        article.remove();
        say(`Deleted event ${event.eventId}.`);
      } catch (error) {
        say(`Could not delete event ${event.eventId}: ${error.message}`);
      }
    };
  }

  // ---- Views -------------------------------------------------------------------------------

  function memoriesView(params) {
    const { el, body } = table(["Memory", "Status", "Strategies", "Created"]);
    const list = pagedList({
      container: el,
      // With a trace id, only the memories holding that trace are offered.
      load: (token) => api("/memories", { traceId: params.traceId, nextToken: token }),
      renderItems: (page) => {
        for (const memory of page.memories) {
          const target = params.traceId ? { memoryId: memory.id, traceId: params.traceId } : { memoryId: memory.id };
          body.append(h("tr", {},
            h("th", { scope: "row" }, viewLink(target, memory.name || memory.id), h("div", { class: "muted small mono" }, memory.id)),
            h("td", {}, h("span", { class: `badge status-${String(memory.status).toLowerCase()}` }, memory.status)),
            h("td", {}, memory.strategies.length ? memory.strategies.map((s) => h("span", { class: "chip" }, s.type)) : h("span", { class: "muted" }, "none")),
            h("td", {}, timeEl(memory.created))));
        }
        return page.memories.length;
      },
      empty: params.traceId
        ? "No memory on this server holds an event of this trace."
        : "No memories yet. Run the demo, or create one with boto3.",
    });
    const intro = params.traceId
      ? h("p", { class: "lede" }, "Memories holding events of trace ", code(params.traceId), ": choose one to see them.")
      : h("p", { class: "lede" }, "Memories on this server, newest first.");
    return { title: "Memories", crumbs: [], body: [heading("Local server", "Memories", intro), list.element] };
  }

  async function memoryView(params) {
    const { memoryId } = params;
    const memory = await api("/memory", { memoryId });
    const strategies = memory.strategies.length
      ? (() => {
        const { el, body } = table(["Strategy", "Type", "Namespaces", "Status"]);
        for (const s of memory.strategies) {
          body.append(h("tr", {},
            h("th", { scope: "row" }, s.name, h("div", { class: "muted small mono" }, s.strategyId)),
            h("td", {}, h("span", { class: "chip" }, s.type)),
            h("td", {}, s.namespaces.map((n) => h("div", {}, code(n)))),
            h("td", {}, s.status)));
        }
        return el;
      })()
      : h("p", { class: "empty" }, "No long-term memory strategies: this memory keeps short-term events only.");

    const actorsTable = table(["Actor"]);
    const actors = pagedList({
      container: actorsTable.el,
      load: (token) => api("/actors", { memoryId, nextToken: token }),
      renderItems: (page) => {
        for (const actor of page.actors) {
          actorsTable.body.append(h("tr", {}, h("td", {}, viewLink({ memoryId, actorId: actor.actorId }, actor.actorId))));
        }
        return page.actors.length;
      },
      empty: "No actors yet: no event has been stored in this memory.",
    });

    const nsTable = table(["Namespace", ["Records", "num"]]);
    const namespaces = pagedList({
      container: nsTable.el,
      load: (token) => api("/namespaces", { memoryId, nextToken: token }),
      renderItems: (page) => {
        for (const ns of page.namespaces) {
          nsTable.body.append(h("tr", {},
            h("td", {}, viewLink({ memoryId, namespace: ns.namespace }, code(ns.namespace))),
            h("td", { class: "num" }, ns.records)));
        }
        return page.namespaces.length;
      },
      empty: "No long-term records.",
    });

    return {
      title: memory.name || memoryId,
      crumbs: [[memory.name || memoryId, { memoryId }]],
      body: [
        heading("Memory", memory.name || memoryId,
          details([["Memory id", code(memory.id)], ["ARN", code(memory.arn)], ["Status", memory.status],
            ["Created", timeEl(memory.created)],
            ["Event expiry", memory.eventExpiryDuration ? `${memory.eventExpiryDuration} days` : null],
            ["Description", memory.description]])),
        h("section", { "aria-labelledby": "strategies-h" }, h("h2", { id: "strategies-h" }, "Strategies"), strategies),
        h("div", { class: "columns" },
          h("section", { "aria-labelledby": "actors-h" }, h("h2", { id: "actors-h" }, "Actors"), actors.element),
          h("section", { "aria-labelledby": "records-h" }, h("h2", { id: "records-h" }, "Long-term records"), namespaces.element)),
      ],
    };
  }

  function actorView(params) {
    const { memoryId, actorId } = params;
    const { el, body } = table(["Session", "Created"]);
    const list = pagedList({
      container: el,
      load: (token) => api("/sessions", { memoryId, actorId, nextToken: token }),
      renderItems: (page) => {
        for (const session of page.sessions) {
          body.append(h("tr", {},
            h("td", {}, viewLink({ memoryId, actorId, sessionId: session.sessionId }, session.sessionId)),
            h("td", {}, timeEl(session.created))));
        }
        return page.sessions.length;
      },
      empty: "This actor has no sessions.",
    });
    return {
      title: `Actor ${actorId}`,
      crumbs: [[memoryId, { memoryId }], [actorId, { memoryId, actorId }]],
      body: [heading("Actor", actorId, h("p", { class: "lede" }, "Sessions, newest first.")), list.element],
    };
  }

  function sessionView(params) {
    const { memoryId, actorId, sessionId } = params;
    const order = params.order === "oldest" ? "oldest" : "newest";
    const listEl = h("div", { class: "events" });
    const shown = new Set();
    const branches = api("/branches", { memoryId, actorId, sessionId });
    const onDelete = deleter(memoryId);
    let liveCursor = null;
    const addEvent = (event, where) => {
      if (shown.has(event.eventId)) return false;
      shown.add(event.eventId);
      const el = eventView(event, { memoryId, onDelete });
      // A fixed branch name would be refused once the session has that branch: the tree's
      // answer names a free one.
      branches.then((answer) => el.append(forkLine("Fork here",
        forkAtEvent({ memoryId, actorId, sessionId, eventId: event.eventId, branch: answer.freeBranch })))).catch(() => {});
      if (where === "top") {
        el.classList.add("arrived");
        listEl.prepend(el);
      } else {
        if (where === "live") el.classList.add("arrived");
        listEl.append(el);
      }
      return true;
    };
    const list = pagedList({
      container: listEl,
      load: (token) => api("/events", { memoryId, actorId, sessionId, order, nextToken: token }),
      renderItems: (page) => {
        if (page.liveCursor) liveCursor = page.liveCursor;
        let added = 0;
        for (const event of page.events) if (addEvent(event, "bottom")) added += 1;
        return added;
      },
      empty: "No events in this session.",
    });

    const liveText = h("span", { class: "live-text" }, "Live: connecting…");
    const live = h("p", { class: "live", "data-state": "starting" }, h("span", { class: "live-dot", "aria-hidden": "true" }), liveText);
    let timer = null;
    let stopped = false;
    let waiting = 0; // new events past the pages loaded so far (oldest first)
    async function poll() {
      if (stopped || !liveCursor) return;
      try {
        const found = await api("/events/live", { memoryId, actorId, sessionId, cursor: liveCursor });
        if (stopped) return;
        liveCursor = found.cursor;
        let arrived = 0;
        for (const event of found.events) {
          // Newest first: new events go on top. Oldest first: at the end, once it is loaded.
          if (order === "newest") arrived += addEvent(event, "top") ? 1 : 0;
          else if (!list.hasMore()) arrived += addEvent(event, "live") ? 1 : 0;
          else waiting += 1;
        }
        if (!list.hasMore()) waiting = 0;
        if (arrived) list.shown();
        live.dataset.state = "on";
        const at = utcTime(new Date());
        if (arrived) liveText.textContent = `Live: ${arrived} new event${arrived > 1 ? "s" : ""} at ${at}`;
        else if (waiting) liveText.textContent = `Live: ${waiting} new event${waiting > 1 ? "s" : ""} after the last page (checked ${at})`;
        else liveText.textContent = `Live: watching for new events (checked ${at})`;
        if (arrived) say(`${arrived} new event${arrived > 1 ? "s" : ""} arrived.`);
      } catch (error) {
        live.dataset.state = "error";
        liveText.textContent = `Live updates failed: ${error.message}; retrying`;
      } finally {
        if (!stopped) timer = setTimeout(poll, LIVE_INTERVAL_MS);
      }
    }
    list.first.then(() => {
      if (!stopped) timer = setTimeout(poll, 0);
    });

    const orderSwitch = h("div", { class: "segmented", role: "group", "aria-label": "Order" },
      ["newest", "oldest"].map((value) => {
        const link = viewLink({ memoryId, actorId, sessionId, order: value === "oldest" ? "oldest" : null },
          value === "newest" ? "Newest first" : "Oldest first");
        if (value === order) link.setAttribute("aria-current", "true");
        return link;
      }));
    return {
      title: `Session ${sessionId}`,
      crumbs: [[memoryId, { memoryId }], [actorId, { memoryId, actorId }], [sessionId, { memoryId, actorId, sessionId }]],
      body: [
        heading("Session", sessionId, h("p", { class: "lede" }, "Events of actor ", code(actorId), ", every branch.")),
        branchTree(params, branches),
        h("div", { class: "toolbar" }, orderSwitch, live),
        list.element,
      ],
      stop: () => {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }

  /** The session's branches as a tree: each with its root event and its events' traces. */
  function branchTree({ memoryId, actorId, sessionId }, branches) {
    const listEl = h("ul", { class: "branch-tree" });
    const section = h("section", { class: "branches", "aria-label": "Branches" },
      h("h2", {}, "Branches"), listEl);
    branches
      .then((answer) => {
        for (const branch of answer.branches) {
          const root = branch.rootEventId && h("span", { class: "small" },
            " · root ", code(branch.rootEventId, "event-id"),
            branch.rootTraceId ? [" (trace ", code(branch.rootTraceId, "trace-id"), ")"] : null,
            " · first event trace ", branch.firstTraceId ? code(branch.firstTraceId, "trace-id") : "none",
            branch.forkTraceId ? [" · forked at trace ", code(branch.forkTraceId, "trace-id")] : null);
          listEl.append(h("li", { class: "branch", style: `margin-left: ${branch.depth * 1.5}em`, "data-branch": branch.name },
            viewLink({ memoryId, actorId, sessionId, branch: branch.name }, branch.name),
            h("span", { class: "muted small" }, ` ${branch.eventCount} event${branch.eventCount === 1 ? "" : "s"}`),
            root));
        }
      })
      .catch((error) => section.append(errorBox(error)));
    return section;
  }

  /** What a session manager on one branch restores, oldest first, with fork lines. */
  async function branchView(params) {
    const { memoryId, actorId, sessionId, branch } = params;
    const answer = await api("/branches", { memoryId, actorId, sessionId, branch });
    const listEl = h("div", { class: "events" });
    let trace = null;
    for (const event of answer.events) {
      if (event.fork.forkBeforeTrace) {
        trace = event.traceId;
        listEl.append(h("div", { class: "trace-start" },
          h("p", {}, "Trace ", code(trace, "trace-id")),
          forkLine("Fork before this trace", event.fork.forkBeforeTrace)));
      }
      const inherited = event.branch.name !== branch;
      const article = eventView(event, { memoryId });
      if (inherited) article.classList.add("inherited");
      article.append(forkLine("Fork here", event.fork.forkHere));
      listEl.append(article);
    }
    return {
      title: `Branch ${branch}`,
      crumbs: [[memoryId, { memoryId }], [actorId, { memoryId, actorId }], [sessionId, { memoryId, actorId, sessionId }],
        [`branch ${branch}`, params]],
      body: [
        heading("Branch", branch, h("p", { class: "lede" },
          "What a session manager on this branch restores, oldest first: its events and its parents' up to its root. Resume it with"),
          h("pre", { class: "config-line" }, answer.config)),
        listEl.childNodes.length ? listEl : h("p", { class: "muted" }, "This branch restores no events."),
      ],
    };
  }

  function traceView(params) {
    const { memoryId, actorId, sessionId, traceId } = params;
    const listEl = h("div", { class: "events" });
    const headerExtra = h("div", { class: "trace-summary" });
    const onDelete = deleter(memoryId);
    const list = pagedList({
      container: listEl,
      load: (token) => api("/trace", { memoryId, traceId, actorId, sessionId, nextToken: token }),
      renderItems: (page) => {
        if (!headerExtra.childNodes.length && page.count !== undefined) {
          const out = traceHref(page.traceId);
          const count = h("span", { class: "trace-count" }, `${page.count} event${page.count === 1 ? "" : "s"}. `);
          const converted = page.traceId !== traceId && h("span", {}, "Stored as ", code(page.traceId, "trace-id"), ". ");
          const link = out && h("a", { href: out, target: "_blank", rel: "noopener noreferrer", class: "out" }, "Open the trace in the tracing tool");
          headerExtra.append(h("p", {}, count, converted, link));
          const first = page.events[0];
          if (first) {
            // Forked in the session of the trace's first event, onto a branch it lacks (a
            // fixed name would be refused once the session had it).
            const where = { memoryId, actorId: first.actorId, sessionId: first.sessionId };
            api("/branches", where).then((answer) => {
              const fork = ["agentcore-memory-otel fork", "--memory-id", shellQuote(memoryId), "--actor-id",
                shellQuote(first.actorId), "--session-id", shellQuote(first.sessionId), "--trace-id",
                shellQuote(page.traceId)].join(" ");
              const branch = shellQuote(answer.freeBranch);
              headerExtra.append(forkLine("Fork before this trace", `${fork} --before --branch ${branch}`),
                forkLine("Fork after this trace", `${fork} --after --branch ${branch}`));
            }).catch(() => {});
          }
        }
        for (const event of page.events) listEl.append(eventView(event, { memoryId, showPlace: true, onDelete }));
        return page.events.length;
      },
      empty: "No events carry this trace id in this scope.",
    });
    const scope = actorId || sessionId
      ? h("p", { class: "lede" }, "Oldest first, in ",
        actorId ? ["actor ", code(actorId)] : null, sessionId ? [" session ", code(sessionId)] : null,
        " · ", viewLink({ memoryId, traceId }, "search the whole memory"))
      : h("p", { class: "lede" }, "Oldest first, across every actor and session of the memory.");
    const crumbsList = [[memoryId, { memoryId }]];
    if (actorId) crumbsList.push([actorId, { memoryId, actorId }]);
    if (actorId && sessionId) crumbsList.push([sessionId, { memoryId, actorId, sessionId }]);
    crumbsList.push([`trace ${traceId}`, params]);
    const activityEl = h("section", { class: "activity", "aria-labelledby": "activity-h" },
      h("h2", { id: "activity-h" }, "What this trace did to long-term memory"));
    api("/activity", { memoryId, traceId, actorId, sessionId })
      .then((found) => activityEl.append(...activityParts(memoryId, found)))
      .catch((error) => activityEl.append(errorBox(error)));
    return {
      title: `Trace ${traceId}`,
      crumbs: crumbsList,
      body: [heading("Events of a trace", traceId, scope, headerExtra), activityEl, list.element],
    };
  }

  /** A link to a record's own view, shown as its id. */
  function recordLink(memoryId, recordId) {
    return viewLink({ memoryId, recordId }, code(recordId, "record-id"));
  }

  /** The trace's reads, taught records and superseded messages (``/activity``). */
  function activityParts(memoryId, found) {
    const part = (cls, title, items, empty) => h("div", { class: cls },
      h("h3", {}, title),
      items.length ? h("ul", {}, items) : h("p", { class: "empty" }, empty));
    return [
      part("reads", "Records read and injected", found.reads.map((read) =>
        h("li", {}, recordLink(memoryId, read.memoryRecordId),
          ` score ${read.score === null ? "?" : read.score}`,
          read.namespace ? [" in ", code(read.namespace)] : " (deleted since)")),
      "No long-term record was injected in this trace."),
      part("taught", "Records learned from its events", found.records.map((record) =>
        h("li", {}, recordLink(memoryId, record.memoryRecordId), " ", h("span", { class: "text" }, record.text))),
      "No record names this trace as its source."),
      part("superseded", "Messages superseded", found.superseded.map((item) =>
        h("li", {}, `message ${item.messageId} of agent `, code(String(item.agentId)),
          " rewritten in ", code(item.eventId), "; the original's events are deleted")),
      "No message was redacted or updated in this trace."),
    ];
  }

  /** Links to the traces a record's lineage names. */
  function taughtBy(memoryId, lineage) {
    if (!lineage.traceIds.length) return null;
    return lineage.traceIds.map((traceId) =>
      h("span", { class: "taught-by" }, viewLink({ memoryId, traceId }, code(traceId, "trace-id")), " "));
  }

  async function recordView(params) {
    const { memoryId, recordId } = params;
    const found = await api("/record", { memoryId, recordId });
    const { record } = found;
    const lineage = record.lineage;
    const sources = h("div", { class: "events" });
    for (const event of found.sourceEvents) {
      sources.append(event.found
        ? eventView(event, { memoryId, showPlace: true })
        : h("p", { class: "empty" }, "Event ", code(event.eventId), " was deleted since."));
    }
    const none = lineage.traceIds.length || lineage.eventIds.length ? null
      : h("p", { class: "empty" }, "This record names no source: records the AgentCore service extracts itself carry no lineage.");
    return {
      title: `Record ${recordId}`,
      crumbs: [[memoryId, { memoryId }], [record.namespaces[0], { memoryId, namespace: record.namespaces[0] }], [recordId, params]],
      body: [
        heading("Long-term record", recordId, h("p", { class: "text" }, record.text),
          details([["Namespace", code(record.namespaces[0])], ["Strategy", code(record.strategyId)],
            ["Created", timeEl(record.created)], ["Taught by trace", taughtBy(memoryId, lineage)],
            ["Source events", lineage.eventCount ? `${lineage.eventCount} (the newest ${lineage.eventIds.length} shown)` : null]])),
        h("section", { "aria-labelledby": "sources-h" }, h("h2", { id: "sources-h" }, "Source events"), none || sources),
      ],
    };
  }

  function recordsView(params) {
    const { memoryId, namespace } = params;
    const listEl = h("ol", { class: "records" });
    const list = pagedList({
      container: listEl,
      load: (token) => api("/records", { memoryId, namespace, nextToken: token }),
      renderItems: (page) => {
        for (const record of page.records) {
          listEl.append(h("li", { class: "record-card" },
            h("p", { class: "text" }, record.text),
            details([["Record id", recordLink(memoryId, record.memoryRecordId)], ["Strategy", code(record.strategyId)],
              ["Created", timeEl(record.created)], ["Taught by trace", taughtBy(memoryId, record.lineage)],
              ["Metadata", Object.keys(record.metadata).length ? h("pre", {}, JSON.stringify(record.metadata, null, 2)) : null]])));
        }
        return page.records.length;
      },
      empty: "No records in this namespace.",
    });
    return {
      title: `Namespace ${namespace}`,
      crumbs: [[memoryId, { memoryId }], [namespace, params]],
      body: [heading("Long-term records", namespace, h("p", { class: "lede" }, "Newest first.")), list.element],
    };
  }

  function chooseView(params) {
    if (params.memoryId && params.recordId) return recordView(params);
    if (params.memoryId && params.traceId) return traceView(params);
    if (params.traceId) return memoriesView(params);
    if (params.memoryId && params.actorId && params.sessionId && params.branch) return branchView(params);
    if (params.memoryId && params.actorId && params.sessionId) return sessionView(params);
    if (params.memoryId && params.actorId) return actorView(params);
    if (params.memoryId && params.namespace) return recordsView(params);
    if (params.memoryId) return memoryView(params);
    return memoriesView(params);
  }

  // ---- Rendering ---------------------------------------------------------------------------

  function renderCrumbs(items) {
    const all = [["Memories", {}], ...items];
    crumbs.replaceChildren(...all.map(([label, params], index) => {
      const last = index === all.length - 1;
      const link = viewLink(params, label);
      if (last) link.setAttribute("aria-current", "page");
      return h("li", {}, link);
    }));
  }

  async function render({ focus }) {
    stopView();
    stopView = () => {};
    const current = ++renderCount;
    const params = currentParams();
    traceInput.value = params.traceId || "";
    main.setAttribute("aria-busy", "true");
    try {
      const view = await chooseView(params);
      if (current !== renderCount) {
        // Another navigation started while this view loaded: drop this one.
        if (view.stop) view.stop();
        return;
      }
      if (view.stop) stopView = view.stop;
      document.title = `${view.title} · Memory console`;
      renderCrumbs(view.crumbs);
      main.replaceChildren(...view.body);
    } catch (error) {
      if (current !== renderCount) return;
      document.title = "Error · Memory console";
      renderCrumbs([]);
      main.replaceChildren(heading("Error", "Nothing to show"), errorBox(error),
        h("p", {}, viewLink({}, "Back to the memories")));
    } finally {
      main.removeAttribute("aria-busy");
    }
    if (focus) {
      const title = main.querySelector("h1");
      if (title) title.focus();
    }
  }

  traceForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const value = traceInput.value.trim();
    if (!value) return;
    // Without a memory in view, the memories list asks which one to search.
    const { memoryId } = currentParams();
    navigate({ memoryId, traceId: value });
  });

  window.addEventListener("popstate", () => render({ focus: true }));

  api("/config", {})
    .then((answer) => {
      config = answer;
    })
    .catch(() => {})
    .finally(() => render({ focus: false }));
})();
