/*
 * The ReLU book's page behaviour: one framework selector for every pair of
 * PyTorch / TensorFlow cells, and explorers whose figures follow their controls.
 *
 * Jupyter Book drops code cells nested in tabs, so the notebooks keep each pair
 * as two top-level cells (myst-nb gives them the classes tag_pytorch and
 * tag_tensorflow) and the grouping happens here, in the page. The choice lives
 * in one attribute, <html data-framework="pytorch|tensorflow|both">, so a single
 * assignment switches every pair and relu-book.css does the showing and hiding.
 * It is stored in localStorage (every page, and reloads, see it) and a link can
 * set it: ?framework=tensorflow. Without JavaScript nothing is grouped or
 * hidden: every cell stays in order, labelled with its framework by the CSS.
 * It also moves the explorers' figures with their controls (see startExplorer).
 */
(() => {
  "use strict";

  const KEY = "relu-book-framework";
  const LABELS = { pytorch: "PyTorch", tensorflow: "TensorFlow", both: "Both" };
  // The book shows both frameworks until a reader chooses one.
  const DEFAULT = "both";
  const root = document.documentElement;

  const valid = (value) => {
    const choice = (value || "").toLowerCase();
    return Object.hasOwn(LABELS, choice) ? choice : null;
  };

  const stored = () => {
    try {
      return valid(localStorage.getItem(KEY));
    } catch {
      return null; // storage disabled: the choice lasts for this page only
    }
  };

  const store = (choice) => {
    try {
      localStorage.setItem(KEY, choice);
    } catch {
      /* storage disabled or full: nothing to keep */
    }
  };

  // This file runs in <head>, so the attribute is set before the page is drawn.
  const linked = valid(new URLSearchParams(window.location.search).get("framework"));
  if (linked) store(linked);
  root.dataset.framework = linked || stored() || DEFAULT;

  /** Mark the current choice on every tab of the page. */
  const syncTabs = () => {
    const current = root.dataset.framework;
    for (const group of document.querySelectorAll(".framework-pair")) {
      let selectedId = "";
      for (const tab of group.querySelectorAll('[role="tab"]')) {
        const selected = tab.dataset.framework === current;
        tab.setAttribute("aria-selected", String(selected));
        tab.tabIndex = selected ? 0 : -1; // roving tabindex: one tab stop per tab list
        if (selected) selectedId = tab.id;
      }
      group.querySelector('[role="tabpanel"]').setAttribute("aria-labelledby", selectedId);
    }
  };

  /** Apply a choice everywhere, keeping `anchor` (the tab list used) where the reader sees it. */
  const choose = (choice, anchor) => {
    const before = anchor ? anchor.getBoundingClientRect().top : 0;
    root.dataset.framework = choice;
    store(choice);
    syncTabs();
    // Pairs above the one clicked may change height; scroll so that it does not jump.
    if (anchor) window.scrollBy(0, anchor.getBoundingClientRect().top - before);
  };

  const onKey = (event) => {
    const tabs = [...event.currentTarget.querySelectorAll('[role="tab"]')];
    const index = tabs.indexOf(document.activeElement);
    if (index < 0) return;
    const moves = {
      ArrowRight: index + 1,
      ArrowDown: index + 1,
      ArrowLeft: index - 1,
      ArrowUp: index - 1,
      Home: 0,
      End: tabs.length - 1,
    };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = tabs[(moves[event.key] + tabs.length) % tabs.length];
    // Selection follows focus: showing a framework is instant.
    choose(next.dataset.framework, event.currentTarget);
    next.focus();
  };

  /*
   * Side by side, a column holds about 45 characters and long lines wrap
   * (relu-book.css). So that a wrapped line reads as the continuation it is,
   * each line of a pair's code becomes a span whose wrapped part hangs four
   * characters inside the line's own indentation (--indent, in characters).
   * The text, newlines included, is unchanged: the copy button and Thebe read
   * the same code as before.
   */
  const splitLines = (pre) => {
    const lines = [[]];
    for (const node of [...pre.childNodes]) {
      if (node.nodeType === Node.TEXT_NODE) {
        node.data.split(/(?<=\n)/).forEach((part, index) => {
          if (index > 0) lines.push([]);
          lines.at(-1).push(document.createTextNode(part));
        });
      } else if (node.textContent.includes("\n")) {
        return; // a token that spans lines (a long string): leave this block as it is
      } else {
        lines.at(-1).push(node);
      }
      if (lines.at(-1).at(-1)?.data?.endsWith("\n")) lines.push([]);
    }
    pre.replaceChildren(
      ...lines
        .filter((nodes) => nodes.length)
        .map((nodes) => {
          const line = document.createElement("span");
          line.className = "code-line";
          line.append(...nodes);
          line.style.setProperty("--indent", line.textContent.match(/^ */)[0].length);
          return line;
        }),
    );
  };

  /** Wrap each PyTorch cell and the TensorFlow cell right after it in one tab set. */
  const groupPairs = () => {
    let count = 0;
    for (const torchCell of document.querySelectorAll("div.cell.tag_pytorch")) {
      const tfCell = torchCell.nextElementSibling;
      if (!tfCell || !tfCell.matches("div.cell.tag_tensorflow")) continue;
      count += 1;
      const id = `framework-pair-${count}`;
      const group = document.createElement("div");
      group.className = "framework-pair";
      const tablist = document.createElement("div");
      tablist.className = "framework-tabs";
      tablist.setAttribute("role", "tablist");
      tablist.setAttribute("aria-label", "Framework");
      for (const [choice, label] of Object.entries(LABELS)) {
        const tab = document.createElement("button");
        tab.type = "button";
        tab.id = `${id}-${choice}`;
        tab.className = "framework-tab";
        tab.dataset.framework = choice;
        tab.textContent = label;
        tab.setAttribute("role", "tab");
        tab.setAttribute("aria-controls", `${id}-panel`);
        tab.addEventListener("click", () => choose(choice, tablist));
        tablist.append(tab);
      }
      tablist.addEventListener("keydown", onKey);
      const panel = document.createElement("div");
      panel.id = `${id}-panel`;
      panel.className = "framework-panel";
      panel.setAttribute("role", "tabpanel");
      torchCell.before(group);
      panel.append(torchCell, tfCell);
      group.append(tablist, panel);
      panel.querySelectorAll("pre").forEach(splitLines);
    }
    syncTabs();
  };

  // A choice made in another tab or window of the book applies here too.
  window.addEventListener("storage", (event) => {
    const choice = event.key === KEY && valid(event.newValue);
    if (choice) {
      root.dataset.framework = choice;
      syncTabs();
    }
  });

  /*
   * Explorers (relu_lib.explorer): the page holds one frame per point of the
   * controls' grid, each in a div whose data-frame lists the controls'
   * positions ("2,0"). On every change the frame matching the controls is
   * shown and the others hidden. The controls start hidden, so that a page
   * without JavaScript shows the first frame and nothing that cannot move.
   */
  const position = (control) =>
    control.matches("input") ? control.value : control.querySelector("input:checked")?.value;

  const startExplorer = (explorer) => {
    const controls = [...explorer.querySelectorAll("[data-control]")];
    const frames = [...explorer.querySelectorAll("[data-frame]")];
    const update = () => {
      const key = controls.map(position).join(",");
      for (const frame of frames) frame.hidden = frame.dataset.frame !== key;
      for (const range of explorer.querySelectorAll('input[type="range"][data-values]')) {
        const text = JSON.parse(range.dataset.values)[Number(range.value)];
        range.setAttribute("aria-valuetext", text);
        const output = explorer.querySelector(`output[for="${range.id}"]`);
        if (output) output.value = text;
      }
    };
    explorer.addEventListener("input", update);
    explorer.addEventListener("change", update);
    explorer.querySelector(".relu-explorer-controls").hidden = false;
    update();
  };

  const start = () => {
    groupPairs();
    document.querySelectorAll("[data-relu-explorer]").forEach(startExplorer);
  };

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
