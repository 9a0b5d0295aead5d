/* The "draw a digit" page: a canvas (pointer or keyboard), sample digits, an upload, the
   28x28 image the model receives, one bar per output, the answer; a choice of network. */
(function () {
  "use strict";

  const app = document.getElementById("draw-app");
  if (!app) return;
  const here = document.querySelector('script[src*="draw.js"]').src;
  const modelsUrl = new URL("models/", here);
  const canvas = document.getElementById("draw-canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const preview = document.getElementById("draw-preview");
  const previewCtx = preview.getContext("2d");
  const answer = document.getElementById("draw-answer");
  const status = document.getElementById("draw-status");
  const bars = document.getElementById("draw-bars");
  const pen = document.getElementById("draw-pen");
  const choice = document.getElementById("draw-network");
  const save = document.getElementById("draw-save");
  const upload = document.getElementById("draw-upload");

  /* ------------------------------------------------------------------ networks */

  const loaded = {};
  window.MNIST_DRAW_MODELS = loaded; // for the browser tests
  function loadNetwork(name) {
    if (loaded[name]) return Promise.resolve(loaded[name]);
    return new Promise(function (resolve, reject) {
      const table = window.MNIST_TUTORIAL_MODELS || {};
      if (table[name]) {
        loaded[name] = MnistDigit.loadModel(table[name]);
        resolve(loaded[name]);
        return;
      }
      const script = document.createElement("script");
      script.src = new URL(name + ".js", modelsUrl).href;
      script.onload = function () {
        loaded[name] = MnistDigit.loadModel(window.MNIST_TUTORIAL_MODELS[name]);
        resolve(loaded[name]);
      };
      script.onerror = function () { reject(new Error("cannot load " + script.src)); };
      document.head.appendChild(script);
    });
  }

  /* --------------------------------------------------------------------- bars */

  // Eleven rows always: the layout is the same for either network.
  const rows = [];
  for (let k = 0; k < 11; k++) {
    const row = document.createElement("div");
    row.className = "draw-bar-row";
    row.innerHTML =
      '<span class="draw-bar-label"></span>' +
      '<span class="draw-bar"><span class="draw-bar-fill"></span></span>' +
      '<span class="draw-bar-value">-</span>';
    bars.appendChild(row);
    rows.push({
      row: row,
      label: row.querySelector(".draw-bar-label"),
      fill: row.querySelector(".draw-bar-fill"),
      value: row.querySelector(".draw-bar-value"),
    });
  }

  /** The network in words, from its own layers ("2 convolutions (24 and 48 filters...") */
  function describe(m) {
    const conv = m.layers.filter(function (l) { return l.type === "conv2d"; });
    const dense = m.layers.filter(function (l) { return l.type === "dense"; });
    const hidden = dense.slice(0, -1).map(function (l) { return l.units; });
    const parts = [];
    if (conv.length) {
      parts.push(conv.length + " convolution" + (conv.length > 1 ? "s" : "") + " (" +
        conv.map(function (l) { return l.units; }).join(" and ") + " filters, ReLU) with max " +
        "pooling");
    }
    if (hidden.length) {
      parts.push(hidden.length + " dense layer" + (hidden.length > 1 ? "s" : "") + " of " +
        hidden.join(" and ") + " neurons (ReLU)");
    }
    parts.push("a softmax over " + m.classes.length + " outputs");
    return parts.join(", ");
  }

  let model = null;
  function showNetwork() {
    document.getElementById("draw-layers").textContent = describe(model);
    rows.forEach(function (r, k) {
      const name = model.classes[k];
      r.row.classList.toggle("draw-bar-unused", name === undefined);
      r.label.textContent = name === undefined ? "" : name === "not a digit" ? "none" : name;
      r.label.title = name || "";
    });
    document.getElementById("draw-threshold").textContent =
      (100 * model.threshold).toFixed(1) + " %";
    document.getElementById("draw-temperature").textContent = model.temperature.toFixed(3);
    document.getElementById("draw-target").textContent =
      (100 * model.rejection.target_accuracy).toFixed(1) + " %";
    document.getElementById("draw-chosen-on").textContent = model.rejection.chosen_on;
  }

  /* -------------------------------------------------------------- the picture */

  // What is read: the drawing area, or a picture (sample or upload) at its own size until
  // something is drawn over it.
  let source = null; // {gray, width, height, name} or null for the canvas
  let empty = true;

  function resetBars() {
    rows.forEach(function (r) {
      r.fill.style.width = "0%";
      r.fill.classList.remove("draw-bar-best");
      r.value.textContent = "-";
    });
  }

  function clear(announce) {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    previewCtx.fillStyle = "#000000";
    previewCtx.fillRect(0, 0, 28, 28);
    resetBars();
    source = null;
    empty = true;
    answer.dataset.state = "empty";
    answer.dataset.reason = "";
    answer.dataset.digit = "";
    answer.textContent = "Draw a digit in the box.";
    if (announce) say("Cleared.");
  }

  function say(text) {
    status.textContent = text;
  }

  function current() {
    if (source) return source;
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    return { gray: MnistDigit.grayFromRGBA(image.data), width: canvas.width, height: canvas.height };
  }

  /** Read the picture; returns the sentence the page shows (and may announce). */
  function update() {
    if (!model) return "";
    const picture = current();
    const result = MnistDigit.classify(model, picture.gray, picture.width, picture.height);
    if (result.blank) {
      const wasSource = source;
      clear(false);
      if (wasSource) answer.textContent = "No digit found in the picture.";
      empty = !wasSource;
      return answer.textContent;
    }
    empty = false;
    const shown = previewCtx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      shown.data[4 * i] = shown.data[4 * i + 1] = shown.data[4 * i + 2] = result.pixels[i];
      shown.data[4 * i + 3] = 255;
    }
    previewCtx.putImageData(shown, 0, 0);
    if (result.refused) {
      // The ink rule (the library's, with its message): no network reads it, no bars.
      resetBars();
      answer.dataset.state = "refused";
      answer.dataset.reason = result.refused.reason;
      answer.dataset.digit = "";
      answer.textContent = result.refused.message;
      return answer.textContent;
    }
    answer.dataset.reason = "";
    const decision = result.decision;
    rows.forEach(function (r, k) {
      const p = result.probabilities[k];
      if (p === undefined) {
        r.fill.style.width = "0%";
        r.value.textContent = "";
        return;
      }
      r.fill.style.width = (100 * p).toFixed(1) + "%";
      r.fill.classList.toggle("draw-bar-best", k === decision.best);
      r.value.textContent = (100 * p).toFixed(1) + " %";
    });
    const confidence = (100 * decision.confidence).toFixed(1) + " %";
    if (decision.digit !== null) {
      answer.dataset.state = "answer";
      answer.dataset.digit = String(decision.digit);
      answer.textContent = "It's " + (decision.digit === 8 ? "an " : "a ") + decision.digit +
        " (" + confidence + ").";
    } else {
      answer.dataset.state = "unknown";
      answer.dataset.digit = "";
      answer.textContent = decision.notADigit
        ? "I don't know: not a digit (" + confidence + ")."
        : "I don't know (best guess " + decision.best + " at " + confidence + ").";
    }
    return answer.textContent;
  }

  /** A picture that cannot be read: the old answer goes, the reason is shown and said. */
  function showError(text) {
    clear(false);
    answer.dataset.state = "error";
    answer.textContent = text;
    say(text);
  }

  /** One finished stroke, picture or choice: update and announce once. */
  function finished() {
    say(update());
  }

  let pending = false;
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      update();
    });
  }

  /** A picture (sample or upload): read at its own size, shown fitted in the drawing area. */
  function usePicture(image, name) {
    const width = image.naturalWidth || image.width;
    const height = image.naturalHeight || image.height;
    const off = document.createElement("canvas");
    off.width = width;
    off.height = height;
    const offCtx = off.getContext("2d", { willReadFrequently: true });
    offCtx.drawImage(image, 0, 0);
    const data = offCtx.getImageData(0, 0, width, height).data;
    clear(false);
    const scale = Math.min(canvas.width / width, canvas.height / height);
    const w = width * scale, h = height * scale;
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(image, (canvas.width - w) / 2, (canvas.height - h) / 2, w, h);
    source = { gray: MnistDigit.grayFromRGBA(data), width: width, height: height, name: name };
    const text = update();
    say(name + ": " + text);
  }

  /* ------------------------------------------------------------------ drawing */

  let drawing = false;
  let last = null;
  function startStroke(p) {
    if (source) source = null; // drawing over a picture: read the drawing area from now on
    drawing = true;
    last = p;
    ctx.beginPath();
    ctx.arc(p[0], p[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fillStyle = "#000000";
    ctx.fill();
    schedule();
  }
  function strokeTo(p) {
    ctx.beginPath();
    ctx.moveTo(last[0], last[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    last = p;
    schedule();
  }
  function endStroke() {
    if (!drawing) return;
    drawing = false;
    finished();
  }

  function point(event) {
    const rect = canvas.getBoundingClientRect();
    return [
      ((event.clientX - rect.left) * canvas.width) / rect.width,
      ((event.clientY - rect.top) * canvas.height) / rect.height,
    ];
  }
  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    canvas.focus({ preventScroll: true });
    hidePen();
    startStroke(point(event));
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing || keyPen.down) return;
    event.preventDefault();
    strokeTo(point(event));
  });
  canvas.addEventListener("pointerup", endStroke);
  canvas.addEventListener("pointercancel", endStroke);

  // The keyboard's pen: a ring over the drawing area; arrows move it, Space lowers/lifts it.
  const keyPen = { x: canvas.width / 2, y: canvas.height / 2, down: false };
  function showPen() {
    const scale = canvas.getBoundingClientRect().width / canvas.width;
    pen.style.left = keyPen.x * scale + "px";
    pen.style.top = keyPen.y * scale + "px";
    pen.classList.add("draw-pen-shown");
    pen.classList.toggle("draw-pen-down", keyPen.down);
  }
  function hidePen() {
    pen.classList.remove("draw-pen-shown");
  }
  canvas.addEventListener("focus", function () {
    if (canvas.matches(":focus-visible")) showPen();
  });
  canvas.addEventListener("blur", function () {
    if (keyPen.down) {
      keyPen.down = false;
      endStroke();
    }
    hidePen();
  });
  const MOVES = { ArrowLeft: [-1, 0], ArrowRight: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1] };
  canvas.addEventListener("keydown", function (event) {
    const move = MOVES[event.key];
    if (move) {
      event.preventDefault();
      const step = event.shiftKey ? 4 : 14;
      keyPen.x = Math.min(Math.max(keyPen.x + move[0] * step, 0), canvas.width);
      keyPen.y = Math.min(Math.max(keyPen.y + move[1] * step, 0), canvas.height);
      if (keyPen.down) strokeTo([keyPen.x, keyPen.y]);
    } else if (event.key === " " || event.key === "Enter") {
      event.preventDefault();
      keyPen.down = !keyPen.down;
      if (keyPen.down) startStroke([keyPen.x, keyPen.y]);
      else endStroke();
    } else if (event.key === "Escape" && keyPen.down) {
      event.preventDefault();
      keyPen.down = false;
      endStroke();
    } else if (event.key === "Delete" || event.key === "Backspace") {
      event.preventDefault();
      keyPen.down = false;
      drawing = false;
      clear(true);
    } else {
      return;
    }
    // A key the drawing area uses is the drawing area's alone: the theme's page navigation
    // (a document listener that moves to the previous or next page on the left and right
    // arrows, and ignores preventDefault) must not see it, or the drawing is lost.
    event.stopPropagation();
    showPen();
  });

  /* ------------------------------------------------------- buttons and upload */

  document.getElementById("draw-clear").addEventListener("click", function () {
    clear(true);
  });

  save.addEventListener("click", function (event) {
    if (empty && !source) {
      event.preventDefault();
      say("Nothing to save yet: draw a digit first.");
      return;
    }
    save.href = canvas.toDataURL("image/png");
  });

  /* Sample pictures, a button each: MNIST digits that every network reads (chosen by
     scripts/make_sample_digits.py --mnist), and notebook 12's drawings (whose 1 the two MLPs
     refuse). */
  function addSamples(container, table, kind) {
    Object.keys(table || {}).sort().forEach(function (name) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-outline-secondary btn-sm draw-sample";
      button.textContent = name.slice(-1);
      button.setAttribute("aria-label", kind + " " + button.textContent + " (" + name + ".png)");
      button.dataset.sample = name;
      button.addEventListener("click", function () {
        const image = new Image();
        image.onload = function () { usePicture(image, "Sample " + name + ".png"); };
        image.src = table[name];
      });
      container.appendChild(button);
    });
  }
  const samples = document.getElementById("draw-samples");
  const drawings = document.getElementById("draw-drawings");
  addSamples(samples, window.MNIST_SAMPLE_DIGITS, "Sample");
  addSamples(drawings, window.MNIST_SAMPLE_DRAWINGS, "Drawn sample");

  upload.addEventListener("change", function () {
    const file = upload.files && upload.files[0];
    if (!file) return;
    const reader = new FileReader();
    reader.onload = function () {
      const image = new Image();
      image.onload = function () { usePicture(image, file.name); };
      image.onerror = function () { showError(file.name + " is not a PNG or JPEG picture."); };
      image.src = reader.result;
    };
    reader.readAsDataURL(file);
  });

  choice.addEventListener("change", function () {
    loadNetwork(choice.value).then(function (m) {
      model = m;
      window.MNIST_DRAW_MODEL = m;
      showNetwork();
      // Said whole, network first: the answer alone may read as before, and be left unsaid.
      const named = "Network: " + choice.options[choice.selectedIndex].text + ".";
      say(!empty || source ? named + " " + update() : named);
      app.dataset.network = m.name;
    });
  });

  ctx.lineWidth = canvas.width / 14;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#000000";
  clear(false);
  loadNetwork(choice.value).then(function (m) {
    model = m;
    window.MNIST_DRAW_MODEL = m; // the network shown, for the browser tests
    showNetwork();
    app.dataset.network = m.name;
    app.dataset.ready = "true";
  });
})();
