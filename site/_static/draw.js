/* The "draw a digit" page: a canvas, the 28x28 image the model receives, ten bars, the answer. */
(function () {
  "use strict";

  const app = document.getElementById("draw-app");
  if (!app) return;
  const model = MnistDigit.loadModel(window.MNIST_TUTORIAL_MODEL);
  window.MNIST_DRAW_MODEL = model; // for the browser tests
  const canvas = document.getElementById("draw-canvas");
  const ctx = canvas.getContext("2d", { willReadFrequently: true });
  const preview = document.getElementById("draw-preview");
  const previewCtx = preview.getContext("2d");
  const answer = document.getElementById("draw-answer");
  const bars = document.getElementById("draw-bars");

  const barFill = [];
  const barText = [];
  for (let k = 0; k < 10; k++) {
    const row = document.createElement("div");
    row.className = "draw-bar-row";
    row.innerHTML =
      '<span class="draw-bar-label">' + k + "</span>" +
      '<span class="draw-bar"><span class="draw-bar-fill"></span></span>' +
      '<span class="draw-bar-value">-</span>';
    bars.appendChild(row);
    barFill.push(row.querySelector(".draw-bar-fill"));
    barText.push(row.querySelector(".draw-bar-value"));
  }
  document.getElementById("draw-threshold").textContent =
    (100 * model.threshold).toFixed(1) + " %";
  document.getElementById("draw-temperature").textContent = model.temperature.toFixed(3);
  document.getElementById("draw-target").textContent =
    (100 * model.rejection.target_accuracy).toFixed(1) + " %";
  document.getElementById("draw-chosen-on").textContent = model.rejection.chosen_on;

  function clear() {
    ctx.fillStyle = "#ffffff";
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    previewCtx.fillStyle = "#000000";
    previewCtx.fillRect(0, 0, 28, 28);
    for (let k = 0; k < 10; k++) {
      barFill[k].style.width = "0%";
      barFill[k].classList.remove("draw-bar-best");
      barText[k].textContent = "-";
    }
    answer.dataset.state = "empty";
    answer.dataset.digit = "";
    answer.textContent = "Draw a digit in the box.";
  }

  function update() {
    const image = ctx.getImageData(0, 0, canvas.width, canvas.height);
    const gray = MnistDigit.grayFromRGBA(image.data);
    const result = MnistDigit.classify(model, gray, canvas.width, canvas.height);
    if (result.blank) {
      clear();
      return;
    }
    const shown = previewCtx.createImageData(28, 28);
    for (let i = 0; i < 784; i++) {
      shown.data[4 * i] = shown.data[4 * i + 1] = shown.data[4 * i + 2] = result.pixels[i];
      shown.data[4 * i + 3] = 255;
    }
    previewCtx.putImageData(shown, 0, 0);
    const decision = result.decision;
    for (let k = 0; k < 10; k++) {
      const p = result.probabilities[k];
      barFill[k].style.width = (100 * p).toFixed(1) + "%";
      barFill[k].classList.toggle("draw-bar-best", k === decision.best);
      barText[k].textContent = (100 * p).toFixed(1) + " %";
    }
    const confidence = (100 * decision.confidence).toFixed(1) + " %";
    if (decision.digit === null) {
      answer.dataset.state = "unknown";
      answer.dataset.digit = "";
      answer.textContent =
        "I don't know (best guess " + decision.best + " at " + confidence +
        ", below the threshold).";
    } else {
      answer.dataset.state = "answer";
      answer.dataset.digit = String(decision.digit);
      answer.textContent = "It's a " + decision.digit + " (" + confidence + ").";
    }
  }

  let drawing = false;
  let last = null;
  let pending = false;
  function point(event) {
    const rect = canvas.getBoundingClientRect();
    return [
      ((event.clientX - rect.left) * canvas.width) / rect.width,
      ((event.clientY - rect.top) * canvas.height) / rect.height,
    ];
  }
  function schedule() {
    if (pending) return;
    pending = true;
    requestAnimationFrame(function () {
      pending = false;
      update();
    });
  }
  canvas.addEventListener("pointerdown", function (event) {
    event.preventDefault();
    canvas.setPointerCapture(event.pointerId);
    drawing = true;
    last = point(event);
    ctx.beginPath();
    ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fillStyle = "#000000";
    ctx.fill();
    schedule();
  });
  canvas.addEventListener("pointermove", function (event) {
    if (!drawing) return;
    event.preventDefault();
    const p = point(event);
    ctx.beginPath();
    ctx.moveTo(last[0], last[1]);
    ctx.lineTo(p[0], p[1]);
    ctx.stroke();
    last = p;
    schedule();
  });
  function stop() {
    if (!drawing) return;
    drawing = false;
    update();
  }
  canvas.addEventListener("pointerup", stop);
  canvas.addEventListener("pointercancel", stop);
  document.getElementById("draw-clear").addEventListener("click", clear);

  ctx.lineWidth = canvas.width / 14;
  ctx.lineCap = "round";
  ctx.lineJoin = "round";
  ctx.strokeStyle = "#000000";
  clear();
})();
