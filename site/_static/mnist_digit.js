/*
 * The course's digit reader, in plain JavaScript (no framework, nothing fetched).
 *
 * preprocess(): the same MNIST-style recipe as mnist_tutorial.images.mnist_style_steps, step
 * for step and in the same float64 arithmetic: invert a light background, subtract the
 * background, stretch the contrast, crop to the ink's bounding box, scale the longer side to
 * 20 pixels with Lanczos resampling (Pillow's LANCZOS), shift by whole pixels so the
 * centre of mass is nearest (14, 14), round half up to grey levels 0-255.
 * forward(): an MLP 784-128(relu)-64(relu)-10 (or 11, the last output "not a digit"), or
 * the small CNN of notebook 7 (3x3 relu convolutions, 2x2 max-pooling, dense layers),
 * softmax of logits / temperature. decide(): as mnist_tutorial.rejection.decide, a digit when
 * the top output is a digit at or above the threshold, else null ("I don't know").
 * inkProblem(): the ink rule of mnist_tutorial.images.ink_problem, before any network: too
 * little ink, or a dot or a blob, with the library's own thresholds and messages.
 * The weights and the constants come from mnist_tutorial.export.export_weights.
 */
(function (global) {
  "use strict";

  function decodeFloat32(base64) {
    const bytes = atob(base64);
    const view = new DataView(new ArrayBuffer(bytes.length));
    for (let i = 0; i < bytes.length; i++) view.setUint8(i, bytes.charCodeAt(i));
    const out = new Float32Array(bytes.length / 4);
    for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(4 * i, true);
    return out;
  }

  /** An int8 kernel with one float32 scale per output unit: kernel = q * scale. */
  function decodeInt8Kernel(base64, scaleBase64, units) {
    const bytes = atob(base64);
    const scale = decodeFloat32(scaleBase64);
    const out = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) {
      const q = bytes.charCodeAt(i);
      out[i] = (q > 127 ? q - 256 : q) * scale[i % units];
    }
    return out;
  }

  /** The exported model, with its arrays decoded (once). */
  function loadModel(spec) {
    if (!spec || spec.format !== "mnist-tutorial-model/1") {
      throw new Error("not a model exported by mnist_tutorial.export");
    }
    const outputs = spec.layers[spec.layers.length - 1].units;
    const classes = spec.classes || Array.from({ length: outputs }, function (_, k) {
      return String(k);
    });
    return {
      name: spec.name,
      classes: classes,
      layers: spec.layers.map(function (layer) {
        const type = layer.type || "dense";
        if (type !== "dense" && type !== "conv2d") return { type: type, size: layer.size };
        return {
          type: type,
          size: layer.size,
          inputs: layer.inputs,
          units: layer.units,
          activation: layer.activation,
          kernel: layer.kernel_encoding === "int8"
            ? decodeInt8Kernel(layer.kernel, layer.kernel_scale, layer.units)
            : decodeFloat32(layer.kernel),
          bias: decodeFloat32(layer.bias),
        };
      }),
      temperature: spec.rejection.temperature,
      threshold: spec.rejection.threshold,
      rejection: spec.rejection,
      constants: spec.preprocessing,
    };
  }

  function median(values) {
    const sorted = Float64Array.from(values).sort();
    const n = sorted.length;
    return n % 2 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  function border(pixels, width, height) {
    const out = [];
    for (let x = 0; x < width; x++) out.push(pixels[x]);
    for (let x = 0; x < width; x++) out.push(pixels[(height - 1) * width + x]);
    for (let y = 1; y < height - 1; y++) out.push(pixels[y * width]);
    for (let y = 1; y < height - 1; y++) out.push(pixels[y * width + width - 1]);
    return out;
  }

  function roundHalfUp(x) {
    return Math.floor(x + 0.5);
  }

  /** images.lanczos: sinc(x) * sinc(x / lobes) on (-lobes, lobes), else 0. */
  function lanczos(x, lobes) {
    if (!(-lobes <= x && x < lobes)) return 0;
    if (x === 0) return 1;
    const px = Math.PI * x;
    return (Math.sin(px) / px) * (Math.sin(px / lobes) / (px / lobes));
  }

  /** Rows of (index, weight) taking nIn pixels to nOut: images.resample_weights (Lanczos). */
  function resampleWeights(nIn, nOut, lobes) {
    const rows = [];
    const ratio = nIn / nOut;
    const stretch = Math.max(ratio, 1);
    const support = lobes * stretch;
    for (let i = 0; i < nOut; i++) {
      const centre = (i + 0.5) * ratio;
      const first = Math.max(Math.floor(centre - support + 0.5), 0);
      const last = Math.min(Math.floor(centre + support + 0.5), nIn);
      const row = [];
      let sum = 0;
      for (let j = first; j < last; j++) {
        const w = lanczos((j + 0.5 - centre) / stretch, lobes);
        row.push([j, w]);
        sum += w;
      }
      for (const entry of row) entry[1] /= sum;
      rows.push(row);
    }
    return rows;
  }

  function resize(pixels, height, width, newHeight, newWidth, lobes) {
    const colW = resampleWeights(width, newWidth, lobes);
    const rowW = resampleWeights(height, newHeight, lobes);
    const wide = new Float64Array(height * newWidth);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < newWidth; x++) {
        let sum = 0;
        for (const [j, w] of colW[x]) sum += w * pixels[y * width + j];
        wide[y * newWidth + x] = sum;
      }
    }
    const out = new Float64Array(newHeight * newWidth);
    for (let y = 0; y < newHeight; y++) {
      for (let x = 0; x < newWidth; x++) {
        let sum = 0;
        for (const [j, w] of rowW[y]) sum += w * wide[j * newWidth + x];
        out[y * newWidth + x] = Math.min(Math.max(sum, 0), 255);
      }
    }
    return out;
  }

  /**
   * gray: grey levels 0-255 (any array), row by row, width x height.
   * Returns {pixels: Float64Array(784) of whole grey levels, inverted, box} or
   * {blank: true, reason} when there is no digit.
   */
  function preprocess(gray, width, height, constants) {
    const c = constants;
    if (width < 2 || height < 2) return { blank: true, reason: "image too small" };
    const n = width * height;
    const inverted = median(border(gray, width, height)) > 127;
    const ink = new Float64Array(n);
    for (let i = 0; i < n; i++) ink[i] = inverted ? 255 - gray[i] : gray[i];
    const background = median(border(ink, width, height));
    let peak = 0;
    for (let i = 0; i < n; i++) {
      ink[i] = Math.max(ink[i] - background, 0);
      if (ink[i] > peak) peak = ink[i];
    }
    if (peak < c.min_ink_contrast) return { blank: true, reason: "no ink", inverted: inverted };
    const gain = 255 / peak;
    const level = c.ink_level * 255;
    let top = height, bottom = -1, left = width, right = -1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const v = ink[y * width + x] * gain;
        ink[y * width + x] = v;
        if (v >= level) {
          if (y < top) top = y;
          if (y > bottom) bottom = y;
          if (x < left) left = x;
          if (x > right) right = x;
        }
      }
    }
    const h = bottom - top + 1;
    const w = right - left + 1;
    const cropped = new Float64Array(h * w);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) cropped[y * w + x] = ink[(top + y) * width + left + x];
    }
    const box = c.box_size;
    const scale = box / Math.max(h, w);
    const newH = Math.max(1, Math.min(box, roundHalfUp(h * scale)));
    const newW = Math.max(1, Math.min(box, roundHalfUp(w * scale)));
    const resized = resize(cropped, h, w, newH, newW, c.lanczos_lobes);

    let total = 0, sumY = 0, sumX = 0;
    for (let y = 0; y < newH; y++) {
      for (let x = 0; x < newW; x++) {
        const v = resized[y * newW + x];
        total += v;
        sumY += y * v;
        sumX += x * v;
      }
    }
    const field = c.field_size;
    const clamp = function (v, lo, hi) { return Math.min(Math.max(v, lo), hi); };
    const shiftY = clamp(roundHalfUp(c.centre - sumY / total), 0, field - newH);
    const shiftX = clamp(roundHalfUp(c.centre - sumX / total), 0, field - newW);
    const pixels = new Float64Array(field * field);
    for (let y = 0; y < newH; y++) {
      for (let x = 0; x < newW; x++) {
        const v = roundHalfUp(resized[y * newW + x]);
        pixels[(shiftY + y) * field + shiftX + x] = clamp(v, 0, 255);
      }
    }
    return {
      pixels: pixels,
      inverted: inverted,
      box: { top: top, left: left, height: h, width: w },
    };
  }

  /**
   * images.ink_measures: the pixels at ink_level of white or more, and the largest distance
   * from one of them to the nearest pixel without ink (outside the image counts as without),
   * searched in full on whole-number squared distances, as the library does.
   */
  function inkMeasures(pixels, constants) {
    const field = constants.field_size;
    const side = field + 2; // one pixel of no ink all round
    const level = constants.ink_level * 255;
    const ink = [], blank = [];
    for (let y = 0; y < side; y++) {
      for (let x = 0; x < side; x++) {
        const inside = y > 0 && y <= field && x > 0 && x <= field;
        if (inside && pixels[(y - 1) * field + x - 1] >= level) ink.push([y, x]);
        else blank.push([y, x]);
      }
    }
    let deepest = 0;
    for (const [y, x] of ink) {
      let nearest = Infinity;
      for (const [by, bx] of blank) {
        const d = (y - by) * (y - by) + (x - bx) * (x - bx);
        if (d < nearest) nearest = d;
      }
      if (nearest > deepest) deepest = nearest;
    }
    return { inked: ink.length, strokeRadius: Math.sqrt(deepest) };
  }

  /** images.ink_problem: null, or {reason, message} with the library's message. */
  function inkProblem(pixels, constants) {
    const m = inkMeasures(pixels, constants);
    if (m.inked < constants.min_ink_pixels) {
      return { reason: "too-little-ink", message: constants.too_little_ink };
    }
    if (m.strokeRadius > constants.max_stroke_radius) {
      return { reason: "too-much-ink", message: constants.too_much_ink };
    }
    return null;
  }

  /** A valid convolution, stride 1, with relu: x is h x w x c (channels last, like Keras);
   *  the kernel is size x size x c x units (Keras' HWIO), flattened. */
  function conv2d(x, h, w, layer) {
    const k = layer.size, cin = layer.inputs, cout = layer.units;
    const oh = h - k + 1, ow = w - k + 1;
    const out = new Float64Array(oh * ow * cout);
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        const o = (y * ow + xx) * cout;
        for (let f = 0; f < cout; f++) out[o + f] = layer.bias[f];
        for (let dy = 0; dy < k; dy++) {
          for (let dx = 0; dx < k; dx++) {
            const inBase = ((y + dy) * w + xx + dx) * cin;
            const kBase = (dy * k + dx) * cin * cout;
            for (let c = 0; c < cin; c++) {
              const v = x[inBase + c];
              if (v === 0) continue;
              const row = kBase + c * cout;
              for (let f = 0; f < cout; f++) out[o + f] += v * layer.kernel[row + f];
            }
          }
        }
        for (let f = 0; f < cout; f++) if (out[o + f] < 0) out[o + f] = 0;
      }
    }
    return { x: out, h: oh, w: ow, c: cout };
  }

  /** Max-pooling, size x size windows with that stride ('valid': a ragged edge is dropped). */
  function maxpool(x, h, w, c, size) {
    const oh = Math.floor(h / size), ow = Math.floor(w / size);
    const out = new Float64Array(oh * ow * c);
    for (let y = 0; y < oh; y++) {
      for (let xx = 0; xx < ow; xx++) {
        for (let f = 0; f < c; f++) {
          let best = -Infinity;
          for (let dy = 0; dy < size; dy++) {
            for (let dx = 0; dx < size; dx++) {
              const v = x[((y * size + dy) * w + xx * size + dx) * c + f];
              if (v > best) best = v;
            }
          }
          out[(y * ow + xx) * c + f] = best;
        }
      }
    }
    return { x: out, h: oh, w: ow, c: c };
  }

  /** pixels: 784 grey levels 0-255. Returns {logits, probabilities} (plain arrays). */
  function forward(model, pixels) {
    let x = Float64Array.from(pixels, function (v) { return v / 255; });
    let h = 28, w = 28, c = 1; // the image as Keras' CNN takes it: 28 x 28 x 1
    let logits = null;
    model.layers.forEach(function (layer) {
      if (layer.type === "conv2d") {
        const r = conv2d(x, h, w, layer);
        x = r.x; h = r.h; w = r.w; c = r.c;
        return;
      }
      if (layer.type === "maxpool2d") {
        const r = maxpool(x, h, w, c, layer.size);
        x = r.x; h = r.h; w = r.w;
        return;
      }
      if (layer.type === "flatten") return; // channels-last order is Keras' Flatten order
      const out = new Float64Array(layer.units);
      for (let j = 0; j < layer.units; j++) out[j] = layer.bias[j];
      for (let i = 0; i < layer.inputs; i++) {
        const xi = x[i];
        if (xi === 0) continue;
        const row = i * layer.units;
        for (let j = 0; j < layer.units; j++) out[j] += xi * layer.kernel[row + j];
      }
      if (layer.activation === "relu") {
        for (let j = 0; j < layer.units; j++) out[j] = Math.max(out[j], 0);
      } else {
        logits = Array.from(out);
      }
      x = out;
    });
    const scaled = logits.map(function (z) { return z / model.temperature; });
    const top = Math.max.apply(null, scaled);
    const exps = scaled.map(function (z) { return Math.exp(z - top); });
    const sum = exps.reduce(function (a, b) { return a + b; }, 0);
    return { logits: logits, probabilities: exps.map(function (e) { return e / sum; }) };
  }

  /** The digit, or null for "I don't know": the top probability is below the threshold, or
   *  the top output is the 11th, "not a digit" (then notADigit is true). */
  function decide(model, probabilities) {
    let best = 0;
    for (let k = 1; k < probabilities.length; k++) {
      if (probabilities[k] > probabilities[best]) best = k;
    }
    const p = probabilities[best];
    const notADigit = best >= 10;
    return {
      digit: !notADigit && p >= model.threshold ? best : null,
      best: best,
      confidence: p,
      notADigit: notADigit,
    };
  }

  /** Grey levels of RGBA pixels over white paper (ITU-R 601 luma, as Pillow's "L"). */
  function grayFromRGBA(data) {
    const n = data.length / 4;
    const gray = new Uint8ClampedArray(n);
    for (let i = 0; i < n; i++) {
      const a = data[4 * i + 3] / 255;
      const r = data[4 * i] * a + 255 * (1 - a);
      const g = data[4 * i + 1] * a + 255 * (1 - a);
      const b = data[4 * i + 2] * a + 255 * (1 - a);
      gray[i] = Math.round((r * 299 + g * 587 + b * 114) / 1000);
    }
    return gray;
  }

  /** Everything at once: grey levels -> MNIST-style pixels -> the ink rule -> probabilities
   *  -> decision. An image the ink rule refuses gets {refused: {reason, message}}, its pixels
   *  and no probabilities. */
  function classify(model, gray, width, height) {
    const prepared = preprocess(gray, width, height, model.constants);
    if (prepared.blank) return { blank: true, reason: prepared.reason };
    const refused = inkProblem(prepared.pixels, model.constants);
    if (refused) {
      return {
        blank: false,
        refused: refused,
        pixels: Array.from(prepared.pixels),
        inverted: prepared.inverted,
      };
    }
    const result = forward(model, prepared.pixels);
    return {
      blank: false,
      refused: null,
      pixels: Array.from(prepared.pixels),
      inverted: prepared.inverted,
      logits: result.logits,
      probabilities: result.probabilities,
      decision: decide(model, result.probabilities),
    };
  }

  global.MnistDigit = {
    loadModel: loadModel,
    preprocess: preprocess,
    forward: forward,
    decide: decide,
    inkMeasures: inkMeasures,
    inkProblem: inkProblem,
    grayFromRGBA: grayFromRGBA,
    classify: classify,
    resampleWeights: resampleWeights,
  };
})(window);
