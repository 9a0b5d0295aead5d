/* The course site's own behaviour on top of sphinx-book-theme (see site/conf.py). */
(function () {
  "use strict";

  /* 1. Sidebar buttons (pydata-sphinx-theme #2451). Since 0.17 the theme renders a toggle of
     its own in the top bar, and wires only the first `.primary-toggle` / `.secondary-toggle`
     of the page: that one, hidden here with the top bar (course.css). sphinx-book-theme's
     buttons in the article header, the ones a reader sees, get no listener and do nothing.
     Each of them forwards its click to the wired one, which opens the sidebar as a dialog. */
  function wireToggles(selector) {
    const toggles = document.querySelectorAll(selector);
    const wired = toggles[0];
    toggles.forEach(function (button, index) {
      if (index === 0) return;
      button.addEventListener("click", function (event) {
        event.preventDefault();
        event.stopPropagation();
        wired.click();
      });
    });
  }

  /* 2. A "Copy" button on each code cell. */
  function addCopyButtons() {
    document.querySelectorAll(".cell_input div.highlight pre").forEach(function (pre) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "course-copy";
      button.textContent = "Copy";
      button.setAttribute("aria-label", "Copy this code");
      button.addEventListener("click", function () {
        const done = function (text) {
          button.textContent = text;
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        };
        navigator.clipboard.writeText(pre.innerText.replace(/\n$/, "")).then(
          function () { done("Copied"); },
          function () { done("Copy failed"); }
        );
      });
      pre.closest(".cell_input").appendChild(button);
    });
  }

  /* 3. A figure wider than a phone scrolls sideways (course.css): the keyboard can reach it,
     a screen reader hears that it scrolls, and a line under it says so to the eye (the shadow
     that code blocks show at their edge would lie under the opaque picture). */
  function focusableWideFigures() {
    document.querySelectorAll(".cell_output, .cell_output .output").forEach(function (box) {
      if (!box.querySelector(":scope > img")) return;
      const next = box.nextElementSibling;
      const hint = next && next.classList.contains("course-scroll-hint") ? next : null;
      if (box.scrollWidth > box.clientWidth + 1) {
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "group");
        box.setAttribute("aria-label", "figure, scrolls sideways");
        if (!hint) {
          const line = document.createElement("p");
          line.className = "course-scroll-hint";
          line.setAttribute("aria-hidden", "true");  /* the label above says it */
          line.textContent = "\u2190 The figure is wider than the screen: scroll it sideways. \u2192";
          box.after(line);
        }
      } else if (box.getAttribute("aria-label") === "figure, scrolls sideways") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
        if (hint) hint.remove();
      }
    });
  }

  /* 4. Search from disk. Sphinx's search fetches each result's page to show an excerpt; a
     page opened from file:// may not fetch (CORS), so the excerpts come from
     _static/search_texts.js, which scripts/build_site.py writes (each page's main text). */
  function searchFromDisk() {
    if (location.protocol !== "file:" || !document.getElementById("search-results")) return;
    const me = document.querySelector('script[src*="course.js"]');
    const root = new URL(".", new URL(me.getAttribute("src"), location.href).href.replace(/_static\/[^/]*$/, ""));
    const texts = new Promise(function (resolve) {
      const script = document.createElement("script");
      script.src = new URL("_static/search_texts.js", root).href;
      script.onload = function () { resolve(window.COURSE_SEARCH_TEXTS || {}); };
      script.onerror = function () { resolve({}); };
      document.head.appendChild(script);
    });
    const realFetch = window.fetch.bind(window);
    window.fetch = function (resource, options) {
      const url = new URL(typeof resource === "string" ? resource : resource.url, location.href);
      if (url.protocol !== "file:" || !url.href.startsWith(root.href)) {
        return realFetch(resource, options);
      }
      const page = decodeURIComponent(url.pathname.slice(root.pathname.length));
      return texts.then(function (all) {
        if (!(page in all)) return new Response("", { status: 404 });
        return new Response('<div role="main">' + all[page] + "</div>", {
          headers: { "Content-Type": "text/html" },
        });
      });
    };
  }

  /* 5. Search excerpts from the page's text. Sphinx cuts each result's excerpt from the
     page's [role="main"] element, which in this theme is all of <main>: the buttons above the
     article (download, the colour modes "System Settings Light Dark", search, contents) and
     the page's contents list come first, and excerpts began "....ipynb .pdf System Settings
     Light Dark 3. How a network learns...". The excerpt is cut from the article alone. */
  function searchExcerptsFromTheArticle() {
    if (typeof Search === "undefined" || typeof Search.htmlToText !== "function") return;
    const htmlToText = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      const page = new DOMParser().parseFromString(htmlString, "text/html");
      const article = page.querySelector('[role="main"] .bd-article');
      if (!article) return htmlToText(htmlString, anchor);
      return htmlToText('<div role="main">' + article.innerHTML + "</div>", anchor);
    };
  }

  /* 6. The primary sidebar (the site's title, search and chapters) as a landmark: axe's
     "region" rule wants all content in one. */
  function sidebarLandmark() {
    const sidebar = document.getElementById("pst-primary-sidebar");
    if (!sidebar) return;
    sidebar.setAttribute("role", "complementary");
    sidebar.setAttribute("aria-label", "Course");
  }

  /* 7. The colour-mode menu: when it opens, focus moves to the current mode (as in the
     download menu beside it); when it closes from inside (a mode chosen, Escape), back to
     its button. Without this, focus fell to the page and the arrow keys scrolled it. */
  function colourMenuFocus() {
    document.querySelectorAll(".theme-switch-container").forEach(function (box) {
      box.addEventListener("shown.bs.dropdown", function () {
        const item = box.querySelector(".theme-change-button.active") ||
          box.querySelector(".theme-change-button");
        if (item) item.focus();
      });
      box.addEventListener("hidden.bs.dropdown", function () {
        const button = box.querySelector(".theme-switch-button");
        const now = document.activeElement;
        if (button && (!now || now === document.body || box.contains(now))) {
          button.focus();
        }
      });
    });
  }

  searchFromDisk();
  searchExcerptsFromTheArticle();
  function ready() {
    sidebarLandmark();
    wireToggles(".primary-toggle");
    wireToggles(".secondary-toggle");
    addCopyButtons();
    colourMenuFocus();
    focusableWideFigures();
    window.addEventListener("load", focusableWideFigures);
    window.addEventListener("resize", focusableWideFigures);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", ready);
  else ready();
})();
