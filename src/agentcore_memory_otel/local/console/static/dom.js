// The memory console's DOM helpers: elements built from text nodes only, and paged lists.
// Stored data never reaches the page as markup, so it needs no escaping and cannot run.
"use strict";

window.ConsoleDom = (() => {
  const statusLine = document.getElementById("status");

  /** An element with attributes (on* keys become listeners) and children (strings become text). */
  function h(tag, attrs, ...children) {
    const el = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
      else if (key === "class") el.className = value;
      else el.setAttribute(key, value === true ? "" : String(value));
    }
    append(el, children);
    return el;
  }

  function append(el, children) {
    for (const child of children.flat()) {
      if (child === null || child === undefined || child === false) continue;
      el.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return el;
  }

  function say(text) {
    statusLine.textContent = text;
  }

  function heading(kicker, title, ...extra) {
    return h("header", { class: "view-head" },
      h("p", { class: "kicker" }, kicker),
      h("h1", { tabindex: "-1" }, title),
      ...extra);
  }

  function details(pairs) {
    const dl = h("dl", { class: "facts" });
    for (const [term, value] of pairs) {
      if (value === null || value === undefined || value === "") continue;
      dl.append(h("div", {}, h("dt", {}, term), h("dd", {}, value)));
    }
    return dl;
  }

  function code(text, cls) {
    return h("code", { class: cls }, text);
  }

  function errorBox(error) {
    return h("div", { class: "error", role: "alert" }, h("strong", {}, "Could not load: "), error.message);
  }

  function timeEl(time) {
    return h("time", { datetime: time.iso }, time.display);
  }

  /**
   * A list that pages through an endpoint: renders one page, then a "Load more" button while
   * the API returns a nextToken. Returns { element, first, hasMore, shown }: first resolves
   * after page one, hasMore tells whether a nextToken is left, and shown reveals the list.
   */
  function pagedList({ container, load, renderItems, empty }) {
    const more = h("button", { type: "button", class: "more", hidden: true }, "Load more");
    const emptyNote = h("p", { class: "empty", hidden: true }, empty);
    const holder = h("div", { class: "paged" }, container, emptyNote, more);
    let token = null;
    let count = 0;
    async function next() {
      holder.dataset.state = "loading";
      more.disabled = true;
      say("Loading…");
      try {
        const page = await load(token);
        const added = renderItems(page);
        count += added;
        token = page.nextToken || null;
        more.hidden = !token;
        container.hidden = !count && !token;
        emptyNote.hidden = !container.hidden;
        say("");
        return page;
      } catch (error) {
        holder.append(errorBox(error));
        say("");
        return null;
      } finally {
        more.disabled = false;
        holder.dataset.state = "ready";
      }
    }
    more.addEventListener("click", async () => {
      await next();
    });
    const shown = () => {
      container.hidden = false;
      emptyNote.hidden = true;
    };
    return { element: holder, first: next(), hasMore: () => token !== null, shown };
  }

  function table(headers) {
    const body = h("tbody");
    const el = h("table", {},
      h("thead", {}, h("tr", {}, headers.map((name) => {
        // A header given as [label, class] styles its column's heading (e.g. "num").
        const [label, cls] = Array.isArray(name) ? name : [name, null];
        return h("th", { scope: "col", class: cls }, label);
      }))),
      body);
    return { el, body };
  }

  return { h, append, say, heading, details, code, errorBox, timeEl, pagedList, table };
})();
