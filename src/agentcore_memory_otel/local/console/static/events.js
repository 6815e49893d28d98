// The memory console's rendering of one stored event: time, ids, metadata with the trace stamp
// highlighted, and each payload item (messages, state records, raw items), all as text nodes.
"use strict";

window.ConsoleEvents = (() => {
  const { h, code, timeEl } = window.ConsoleDom;

  /** An event renderer using the page's links: viewLink(params, ...children), traceHref(id). */
  function create({ viewLink, traceHref, getConfig }) {
    function metadataList(event, memoryId, inTrace) {
      if (!event.metadata.length) return h("p", { class: "metadata-none muted small" }, "No metadata");
      const dl = h("dl", { class: "metadata" });
      for (const { key, value } of event.metadata) {
        const isTrace = key === getConfig().traceIdKey;
        const isSpan = key === getConfig().spanIdKey;
        let shown = code(value);
        if (isTrace) {
          const out = traceHref(value);
          shown = h("span", { class: "trace-links" },
            code(value, "trace-id"),
            !inTrace && viewLink({ memoryId, traceId: value }, "events of this trace"),
            out && h("a", { href: out, target: "_blank", rel: "noopener noreferrer", class: "out" },
              "open trace", h("span", { class: "visually-hidden" }, " (opens the tracing tool)")));
        } else if (isSpan) {
          shown = code(value, "span-id");
        }
        dl.append(h("div", { class: isTrace ? "hl trace" : isSpan ? "hl span" : null },
          h("dt", {}, key), h("dd", {}, shown)));
      }
      return dl;
    }

    function blockView(block) {
      switch (block.type) {
        case "text":
          return h("p", { class: "text" }, block.text);
        case "toolUse":
          return h("div", { class: "block tool-use" },
            h("p", { class: "block-title" }, h("span", { class: "tag" }, "toolUse"), " ", code(block.name, "tool-name"),
              block.toolUseId && h("span", { class: "muted small" }, ` ${block.toolUseId}`)),
            h("pre", {}, block.input));
        case "toolResult":
          return h("div", { class: "block tool-result" },
            h("p", { class: "block-title" }, h("span", { class: "tag" }, "toolResult"), " ",
              h("span", { class: `result-status ${block.status}` }, block.status),
              block.toolUseId && h("span", { class: "muted small" }, ` ${block.toolUseId}`)),
            block.content.map((text) => h("pre", {}, text)));
        default:
          return h("p", { class: "block other" }, block.summary);
      }
    }

    function itemView(item) {
      switch (item.kind) {
        case "message":
          return h("li", { class: `item message role-${item.role}` },
            h("div", { class: "item-head" },
              h("span", { class: `role role-${item.role}` }, item.role),
              item.agentId && h("span", { class: "muted small" }, `agent ${item.agentId}`),
              item.messageId !== null && item.messageId !== undefined &&
                h("span", { class: "muted small" }, `message ${item.messageId}`)),
            h("div", { class: "blocks" }, item.blocks.map(blockView)));
        case "agentRecord":
        case "sessionRecord":
        case "multiAgentRecord":
          return h("li", { class: "item record" },
            h("div", { class: "item-head" },
              h("span", { class: "role role-record" }, item.label),
              h("span", { class: "record-note" }, "record"),
              h("span", { class: "small" }, item.summary),
              item.nextMessageId !== null && item.nextMessageId !== undefined &&
                h("span", { class: "muted small" }, `next message ${item.nextMessageId}`)),
            h("details", {}, h("summary", {}, "Stored record"), h("pre", {}, item.json)));
        case "part":
          return h("li", { class: "item part" },
            h("div", { class: "item-head" },
              h("span", { class: "role role-record" }, item.label),
              h("span", { class: "small" }, item.summary)),
            h("details", {}, h("summary", {}, "Text of this part"), h("pre", {}, item.text)));
        default:
          return h("li", { class: "item raw" },
            h("div", { class: "item-head" }, h("span", { class: "role role-raw" }, "other item")),
            h("pre", {}, item.json));
      }
    }

    function eventView(event, { memoryId, showPlace, onDelete }) {
      const place = showPlace && h("p", { class: "place" },
        "actor ", viewLink({ memoryId, actorId: event.actorId }, event.actorId),
        " · session ", viewLink({ memoryId, actorId: event.actorId, sessionId: event.sessionId }, event.sessionId));
      const branch = event.branch && event.branch.name && event.branch.name !== "main" &&
        h("span", { class: "badge" }, `branch ${event.branch.name}`);
      const remove = onDelete && h("button", {
        type: "button",
        class: "link-button danger-text",
        "aria-label": `Delete event ${event.eventId}`,
        onclick: () => onDelete(event, article),
      }, "Delete…");
      const article = h("article", { class: "event", "data-event-id": event.eventId },
        h("header", { class: "event-head" },
          timeEl(event.time),
          code(event.eventId, "event-id"),
          branch,
          h("span", { class: "spacer" }),
          remove),
        place,
        metadataList(event, memoryId, showPlace),
        h("ol", { class: "items" }, event.items.map(itemView)));
      return article;
    }

    return eventView;
  }

  return { create };
})();
