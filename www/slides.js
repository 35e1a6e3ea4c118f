// The lecture as slides, and its predictions. Loaded by lecture.html; no network, no server.
//
// Slides (lecture.html?slides=1&slide=N, the "Slides" button, or S): one claim per screen,
// with its live figure filling the screen. A slide is each element of the lecture marked
// data-slide, whose value is the slide's short line: a section heading; a paragraph, whose
// figure data-slide-figure names by id (and data-slide-set, a query as a prose button's,
// sets it on entering the slide, so that it shows what the line says); a table or a
// prediction (below), shown on the slide.
// A slide's speaker notes are its paragraph and the ones after it, up to the next slide,
// shown under the slide with N (they keep their buttons, which drive the figure). Right and
// Left arrows, Page Down and Page Up (a presenter's clicker), Home and End move between
// slides, and slide= in the URL follows, so a link opens that slide. A figure keeps its own
// controls and keys: while one has the focus, the arrows, S and N are its own, and only
// Page Up and Page Down move the slides (even from a slider: they are what a clicker sends).
//
// Predictions (<aside class="ds-predict" data-predict="FIGURE-ID">): a question with two to
// four <button data-choice> answers, one of them data-correct, and a button that shows the
// answer. A reader picks an answer, then the answer is shown: the right one is marked, the
// figure is set to data-predict-set (a query, as a prose button's) and, with
// data-predict-readout="KEY", the figure's own readout KEY is quoted once it is ready.
// On a slide the figure stays covered until the answer is shown, which the next key press
// does before it moves on. Each reader answers alone: nothing is sent anywhere.

const main = document.getElementById("content");
const root = document.documentElement;
const slides = [...main.querySelectorAll("[data-slide]")];
let current = -1;
let notes = false;

/** The figure wrapper (<figure>) of the figure with id `id`. */
function figureOf(id) {
  const el = id && document.getElementById(id);
  return el && el.closest("figure");
}

/** What slide `i` shows (its table or prediction, its figure) and its notes. */
function parts(i) {
  const el = slides[i];
  const predict = el.matches(".ds-predict") ? el : null;
  const shown = el.matches("h2, p") ? [] : [el];
  const fig = figureOf(predict ? predict.dataset.predict : el.dataset.slideFigure);
  if (fig) shown.push(fig);
  const next = slides[i + 1];
  const notes = el.matches("p") ? [el] : [];
  for (let n = el.nextElementSibling; n && n !== next; n = n.nextElementSibling) {
    if (!n.matches("figure, .ds-predict, h2, table")) notes.push(n);
  }
  return { el, shown, predict, notes };
}

/**
 * Sets the figure with id `id` to `query`, as a prose button does; a figure that has not
 * started yet (the page has just opened on this slide) is set as soon as it has.
 */
function setFigure(id, query) {
  const figure = document.getElementById(id || "");
  if (!figure) return;
  const started = performance.now();
  const tryNow = () => {
    if (typeof figure.set === "function") figure.set(query);
    else if (performance.now() - started < 20000) requestAnimationFrame(tryNow);
  };
  tryNow();
}

/** The heading of the section `el` is in. */
function sectionOf(el) {
  for (let n = el; n; n = n.previousElementSibling) if (n.tagName === "H2") return n.textContent;
  return "";
}

const bar = document.createElement("div");
bar.className = "ds-slide-bar";
bar.setAttribute("role", "region");
bar.setAttribute("aria-label", "Slide");
bar.innerHTML =
  '<p class="ds-slide-section"></p><p class="ds-slide-claim" aria-live="polite"></p>' +
  '<div class="ds-slide-nav"><button type="button" data-slide-go="-1" aria-label="Previous slide">←</button>' +
  '<span class="ds-slide-count"></span>' +
  '<button type="button" data-slide-go="1" aria-label="Next slide">→</button>' +
  '<button type="button" data-slide-notes aria-pressed="false">Notes (N)</button>' +
  '<button type="button" data-slide-exit>Leave the slides (S)</button></div>';
main.before(bar);

/**
 * Shows slide `i` (clamped), or the page as a page when slides are off. Entering a slide
 * (`enter`) sets its figure to the slide's data-slide-set, so that the figure shows what the
 * slide's line says, whatever the figure was left at.
 */
function show(i, enter = true) {
  for (const n of main.querySelectorAll(".ds-slide-on, .ds-slide-note, .ds-slide-covered, .ds-slide-own")) {
    n.classList.remove("ds-slide-on", "ds-slide-note", "ds-slide-covered", "ds-slide-own");
  }
  if (!root.classList.contains("ds-slides")) return;
  current = Math.max(0, Math.min(slides.length - 1, i));
  const p = parts(current);
  for (const n of p.shown) n.classList.add("ds-slide-on");
  if (p.predict || p.el.dataset.slideSet) for (const n of p.shown) n.classList.add("ds-slide-own");
  if (enter && p.el.dataset.slideSet) setFigure(p.el.dataset.slideFigure, p.el.dataset.slideSet);
  for (const n of p.notes) n.classList.toggle("ds-slide-note", notes);
  if (p.predict && !p.predict.hasAttribute("data-revealed")) {
    for (const n of p.shown.slice(1)) n.classList.add("ds-slide-covered");
  }
  bar.querySelector(".ds-slide-section").textContent = sectionOf(p.el);
  bar.querySelector(".ds-slide-claim").textContent = p.el.dataset.slide || p.el.textContent;
  bar.querySelector(".ds-slide-count").textContent = `${current + 1} / ${slides.length}`;
  bar.querySelector("[data-slide-notes]").setAttribute("aria-pressed", String(notes));
  const url = new URL(location.href);
  url.searchParams.set("slides", "1");
  url.searchParams.set("slide", String(current + 1));
  history.replaceState(null, "", url);
  window.scrollTo(0, 0);
}

/** Turns slides on (at slide `i`) or off. */
function slidesOn(on, i = current < 0 ? 0 : current) {
  root.classList.toggle("ds-slides", on);
  if (on) {
    show(i);
    return;
  }
  show(-1);
  const url = new URL(location.href);
  url.searchParams.delete("slides");
  url.searchParams.delete("slide");
  history.replaceState(null, "", url);
  slides[current]?.scrollIntoView();
}

/** Moves `by` slides; a covered prediction is answered first. */
function go(by) {
  const p = parts(current);
  if (by > 0 && p.predict && !p.predict.hasAttribute("data-revealed")) {
    reveal(p.predict);
    show(current, false);
    return;
  }
  show(current + by);
}

/** Shows a prediction's answer: marks it, sets its figure, quotes the figure's readout. */
function reveal(predict) {
  if (predict.hasAttribute("data-revealed")) return;
  predict.setAttribute("data-revealed", "");
  for (const c of predict.querySelectorAll("[data-choice]")) {
    c.disabled = true;
    if (c.hasAttribute("data-correct")) c.setAttribute("aria-describedby", answerId(predict));
  }
  const figure = document.getElementById(predict.dataset.predict);
  if (predict.dataset.predictSet) setFigure(predict.dataset.predict, predict.dataset.predictSet);
  const answer = predict.querySelector(".ds-predict-answer");
  const correct = predict.querySelector("[data-correct]");
  const picked = predict.querySelector("[data-choice][aria-pressed=true]");
  answer.textContent =
    `Answer: ${correct ? correct.textContent.trim() : ""}.` +
    (picked ? (picked === correct ? " Your guess was right." : " Your guess was different.") : "");
  const key = predict.dataset.predictReadout;
  if (key && figure) quoteReadout(figure, key, answer);
  for (const fig of main.querySelectorAll(".ds-slide-covered")) fig.classList.remove("ds-slide-covered");
}

function answerId(predict) {
  const answer = predict.querySelector(".ds-predict-answer");
  if (!answer.id) answer.id = `${predict.dataset.predict}-answer`;
  return answer.id;
}

/**
 * Adds the figure's readout `key` to `answer` once the figure has its new numbers: when the
 * value has changed and the figure is ready, or, for a setting that changes nothing, after
 * half a second.
 */
function quoteReadout(figure, key, answer) {
  const started = performance.now();
  const before = answer.textContent;
  const old = figure.querySelector(`[data-readout="${key}"]`)?.getAttribute("data-value");
  const look = () => {
    const el = figure.querySelector(`[data-readout="${key}"]`);
    const waited = performance.now() - started;
    const ready = figure.getAttribute("data-state") === "ready";
    if (el && ready && (el.getAttribute("data-value") !== old || waited > 500)) {
      const label = figure.querySelector(`[data-label="${key}"]`)?.textContent?.trim();
      answer.textContent = `${before} The figure reads: ${label ? `${label}, ` : ""}${el.textContent.trim()}.`;
      answer.setAttribute("data-quoted", el.getAttribute("data-value"));
      return;
    }
    if (waited < 10000) requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
}

// Predictions work on the page as well as on slides.
for (const predict of main.querySelectorAll(".ds-predict")) {
  const choices = [...predict.querySelectorAll("[data-choice]")];
  for (const c of choices) {
    c.setAttribute("aria-pressed", "false");
    c.addEventListener("click", () => {
      for (const o of choices) o.setAttribute("aria-pressed", String(o === c));
    });
  }
  predict.querySelector("[data-predict-show]")?.addEventListener("click", () => {
    reveal(predict);
    if (root.classList.contains("ds-slides")) show(current, false);
  });
}

bar.addEventListener("click", (e) => {
  const b = e.target.closest("button");
  if (!b) return;
  if (b.hasAttribute("data-slide-go")) go(Number(b.dataset.slideGo));
  else if (b.hasAttribute("data-slide-notes")) {
    notes = !notes;
    show(current, false);
  } else if (b.hasAttribute("data-slide-exit")) slidesOn(false);
});
document.getElementById("ds-slides-open")?.addEventListener("click", () => slidesOn(true));

document.addEventListener("keydown", (e) => {
  if (e.altKey || e.ctrlKey || e.metaKey || e.defaultPrevented) return;
  const t = e.target;
  const on = root.classList.contains("ds-slides");
  const clicker = { PageDown: 1, PageUp: -1 }[e.key];
  // A clicker moves the slides wherever the focus is, but for text being typed.
  if (t.closest && t.closest(clicker && on ? "textarea, [contenteditable], dialog" : "input, select, textarea, [contenteditable], dialog")) return;
  const inFigure = t.closest && t.closest("[data-deep-signal]");
  const arrows = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
  if (on && clicker) go(clicker);
  else if (on && arrows && !inFigure) go(arrows);
  else if (on && e.key === "Home" && !inFigure) show(0);
  else if (on && e.key === "End" && !inFigure) show(slides.length - 1);
  else if (on && (e.key === "n" || e.key === "N") && !inFigure) {
    notes = !notes;
    show(current, false);
  } else if ((e.key === "s" || e.key === "S") && !inFigure) slidesOn(!on);
  else if (on && e.key === "Escape" && !inFigure) slidesOn(false);
  else return;
  e.preventDefault();
});

const params = new URLSearchParams(location.search);
if (params.get("slides") === "1") slidesOn(true, (Number.parseInt(params.get("slide"), 10) || 1) - 1);
