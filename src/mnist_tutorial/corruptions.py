"""The course's robustness suite: MNIST digits shifted, rotated, scaled, thickened, thinned,
blurred, made noisy or broken, each at three strengths, built from MNIST alone.

Nothing but MNIST enters the course: its digits, what the course generates from them (this
suite, the "not a digit" images of `mnist_tutorial.datasets`) and what the student draws.
The suite is in the spirit of MNIST-C (Mu and Gilmer, 2019), but the course builds it itself,
from a fixed seed, so every run of the course sees the very same corrupted digits.

Every corruption is one function `corruption(images, strength, rng) -> images`: uint8 images
(n, 28, 28) in MNIST's format (0-255, white ink on black, as `mnist_tutorial.data.load_mnist`
returns them) in, images of the same shape and dtype out, the input untouched. `strength` is
in the corruption's own unit (pixels, degrees, a share...); 0 returns the images unchanged.
Where the corruption has a random part (a direction, a sign, where the noise falls), it comes
from `rng`, a `numpy.random.Generator`, one draw per image. `CORRUPTIONS` lists them with
their three strengths, mild, medium and strong (chosen by looking at the digits, no model
involved: a person still reads most digits even at the strong ones);
`robustness_suite(images, labels, seed)` builds every corruption at every strength.

The rule, as for every choice in the course: the **validation variants** (built from the
validation split held out of MNIST's training images) are for choosing, as often as needed;
the **test variants** (built from MNIST's 10,000 test images) are for reporting, once, after
every choice is made. `validation_suite(config)` and `heldout_test_suite()` build them, each
from its own fixed seed; `robustness_suites(config)` both at once.

Data layer: NumPy and SciPy's
`ndimage`, no Keras of its own (the validation split comes from `preprocess`).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
from scipy import ndimage

from mnist_tutorial.config import TrainingConfig
from mnist_tutorial.data import MnistArrays, load_mnist
from mnist_tutorial.preprocess import split_validation

#: A corruption: uint8 images (n, 28, 28), a strength, a generator -> uint8 images (n, 28, 28).
CorruptionFunction = Callable[[np.ndarray, float, np.random.Generator], np.ndarray]
#: What a suite holds: name -> (images, labels).
Suite = dict[str, tuple[np.ndarray, np.ndarray]]

#: The three strengths of every corruption, mildest first.
LEVELS: tuple[str, str, str] = ("mild", "medium", "strong")
#: The name of the uncorrupted images in a suite (its first entry).
CLEAN = "clean"
#: `corruption_means`' label for the uncorrupted images and for the mean over every corrupted
#: variant.
AS_WRITTEN = "as written"
MEAN_OF_ALL = "all changes"
#: The grey level from which a pixel counts as ink (half of 255), for the broken strokes.
INK_THRESHOLD = 128
#: The side, in pixels, of the square of ink each break of `broken_strokes` erases.
BREAK_SIZE = 4
#: The seeds of the two suites of the course: fixed, and different, so no corruption of a
#: validation digit repeats a test digit's (`robustness_suites`).
VALIDATION_SEED = 1
TEST_SEED = 2

# The footprint of one pixel of dilation or erosion: a cross (the four neighbours), applied to
# each image of a batch on its own (the first axis is the batch).
_CROSS = ndimage.generate_binary_structure(2, 1)[np.newaxis]


def _check(images: np.ndarray, strength: float) -> np.ndarray:
    images = np.asarray(images)
    if images.dtype != np.uint8 or images.ndim != 3:
        raise ValueError(
            "corruptions expect uint8 images (n, height, width), "
            f"got dtype {images.dtype} and shape {images.shape}"
        )
    if not np.isfinite(strength) or strength < 0:
        raise ValueError(f"a corruption's strength must be 0 or more, got {strength}")
    return images


def _to_uint8(values: np.ndarray) -> np.ndarray:
    return np.clip(np.rint(values), 0, 255).astype(np.uint8)


def _signs(n: int, rng: np.random.Generator) -> np.ndarray:
    return rng.choice(np.array([-1.0, 1.0]), size=n)


def shift(images: np.ndarray, pixels: float, rng: np.random.Generator) -> np.ndarray:
    """Each digit moved `pixels` pixels in a random direction (uniform angle), rounded to
    whole pixels (so no interpolation blurs it): what a drawing off the centre does. Ink pushed
    past the edge is lost; the field left behind is black."""
    images = _check(images, pixels)
    if pixels == 0:
        return images.copy()
    angles = rng.uniform(0.0, 2.0 * np.pi, size=len(images))
    rows = np.rint(pixels * np.sin(angles)).astype(int)
    cols = np.rint(pixels * np.cos(angles)).astype(int)
    out = np.zeros_like(images)
    for i, (dy, dx) in enumerate(zip(rows, cols, strict=True)):
        out[i] = ndimage.shift(images[i], (dy, dx), order=0, mode="constant", cval=0)
    return out


def rotate(images: np.ndarray, degrees: float, rng: np.random.Generator) -> np.ndarray:
    """Each digit rotated by `degrees` about the centre of the field, clockwise or
    anticlockwise at random (bilinear interpolation): a slanted hand."""
    images = _check(images, degrees)
    if degrees == 0:
        return images.copy()
    signs = _signs(len(images), rng)
    out = np.empty_like(images)
    for sign in (-1.0, 1.0):
        chosen = signs == sign
        if chosen.any():
            turned = ndimage.rotate(
                images[chosen].astype(np.float64),
                sign * degrees,
                axes=(2, 1),
                reshape=False,
                order=1,
                mode="constant",
                cval=0.0,
            )
            out[chosen] = _to_uint8(turned)
    return out


def scale(images: np.ndarray, change: float, rng: np.random.Generator) -> np.ndarray:
    """Each digit enlarged by the factor `1 + change` or shrunk by its inverse (at random)
    about its centre of mass, which stays where it was (bilinear interpolation): MNIST scales
    every digit to a 20-pixel box, a drawing need not fill it. Enlarged ink past the edge is
    lost."""
    images = _check(images, change)
    if change == 0:
        return images.copy()
    factors = (1.0 + change) ** _signs(len(images), rng)
    out = np.empty_like(images)
    middle = (np.array(images.shape[1:], dtype=np.float64) - 1) / 2
    for i, (image, factor) in enumerate(zip(images, factors, strict=True)):
        centre = np.array(ndimage.center_of_mass(image)) if image.any() else middle
        # Output pixel o shows input point centre + (o - centre) / factor.
        zoomed = ndimage.affine_transform(
            image.astype(np.float64),
            np.full(2, 1.0 / factor),
            offset=centre - centre / factor,
            order=1,
            mode="constant",
            cval=0.0,
        )
        out[i] = _to_uint8(zoomed)
    return out


def _stroke(images: np.ndarray, pixels: float, operation: Callable[..., np.ndarray]) -> np.ndarray:
    # Whole pixels of dilation or erosion, then a blend towards one more for the fraction.
    whole, fraction = divmod(pixels, 1.0)
    out = images
    for _ in range(int(whole)):
        out = operation(out, footprint=_CROSS, mode="constant", cval=0)
    if fraction:
        further = operation(out, footprint=_CROSS, mode="constant", cval=0).astype(np.float64)
        out = _to_uint8((1.0 - fraction) * out + fraction * further)
    return out.copy() if out is images else out


def thicken(images: np.ndarray, pixels: float, rng: np.random.Generator) -> np.ndarray:
    """Strokes thickened by `pixels` on each side: grey dilation with a cross, once per whole
    pixel, a fraction blending towards one more (a felt pen instead of a pencil). `rng` is
    not used: the same on every digit."""
    return _stroke(_check(images, pixels), pixels, ndimage.grey_dilation)


def thin(images: np.ndarray, pixels: float, rng: np.random.Generator) -> np.ndarray:
    """Strokes thinned by `pixels` on each side: grey erosion with a cross, once per whole
    pixel, a fraction blending towards one more (a fine pen); thin strokes can vanish. `rng`
    is not used: the same on every digit."""
    return _stroke(_check(images, pixels), pixels, ndimage.grey_erosion)


def blur(images: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    """Each digit blurred by a Gaussian of standard deviation `sigma` pixels (out of focus, or
    a smudged drawing). `rng` is not used: the same on every digit."""
    images = _check(images, sigma)
    if sigma == 0:
        return images.copy()
    blurred = ndimage.gaussian_filter(
        images.astype(np.float64), sigma=(0.0, sigma, sigma), mode="constant", cval=0.0
    )
    return _to_uint8(blurred)


def gaussian_noise(images: np.ndarray, spread: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise added to every pixel, standard deviation `spread` of the full scale
    (0.1: about 26 grey levels), then clipped to 0-255 (a grainy scan or photo)."""
    images = _check(images, spread)
    if spread == 0:
        return images.copy()
    noise = rng.normal(0.0, spread * 255.0, size=images.shape)
    return _to_uint8(images + noise)


def salt_and_pepper(images: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """A share `share` of the pixels (at most 1), chosen at random, set to white or black
    with even odds (dust on the page, dead pixels)."""
    images = _check(images, share)
    if share > 1:
        raise ValueError(f"salt_and_pepper's share of pixels is at most 1, got {share}")
    out = images.copy()
    if share == 0:
        return out
    hit = rng.random(images.shape) < share
    white = rng.random(images.shape) < 0.5
    out[hit & white] = 255
    out[hit & ~white] = 0
    return out


def broken_strokes(images: np.ndarray, breaks: float, rng: np.random.Generator) -> np.ndarray:
    """`breaks` (a whole number) gaps erased from each digit's strokes: a `BREAK_SIZE`-pixel
    square of black centred on an ink pixel (`INK_THRESHOLD` or brighter) chosen at random
    (a pen that skips). A digit with fewer ink pixels than breaks loses a square at each."""
    images = _check(images, breaks)
    if breaks != int(breaks):
        raise ValueError(f"broken_strokes takes a whole number of breaks, got {breaks}")
    out = images.copy()
    low = BREAK_SIZE // 2
    for image in out:
        ink = np.argwhere(image >= INK_THRESHOLD)
        count = min(int(breaks), len(ink))
        for row, col in ink[rng.choice(len(ink), size=count, replace=False)]:
            image[
                max(row - low, 0) : row - low + BREAK_SIZE,
                max(col - low, 0) : col - low + BREAK_SIZE,
            ] = 0
    return out


@dataclass(frozen=True)
class Corruption:
    """One corruption of the suite: its name (in a suite's variant names, and in the seed of
    its random draws), its function, its three strengths (mild, medium, strong, in `unit`),
    what it imitates, and its label in a table for people (`corruption_means`)."""

    name: str
    function: CorruptionFunction
    strengths: tuple[float, float, float]
    #: What a strength measures, after its value ("30 degrees"; "0.3 larger or smaller": by
    #: the factor 1.3 either way).
    unit: str
    description: str
    label: str

    def variants(self) -> tuple[str, ...]:
        """The names of its three variants in a suite: `name/mild`, `name/medium`, ..."""
        return tuple(f"{self.name}/{level}" for level in LEVELS)


#: The suite: every corruption with its mild, medium and strong strengths.
CORRUPTIONS: tuple[Corruption, ...] = (
    Corruption("shift", shift, (2, 4, 6), "pixels", "moved off the centre", "moved"),
    Corruption("rotate", rotate, (15, 30, 45), "degrees", "turned either way", "turned"),
    Corruption(
        "scale",
        scale,
        (0.15, 0.3, 0.45),
        "larger or smaller",
        "drawn too big or small",
        "too big or small",
    ),
    Corruption(
        "thicken", thicken, (0.5, 1, 1.5), "pixels a side", "bolder strokes", "bolder strokes"
    ),
    Corruption("thin", thin, (0.5, 0.75, 1), "pixels a side", "finer strokes", "finer strokes"),
    Corruption("blur", blur, (1, 1.5, 2), "pixels (sigma)", "out of focus", "blurred"),
    Corruption(
        "gaussian_noise", gaussian_noise, (0.1, 0.2, 0.35), "of 255 (sd)", "grain", "grainy"
    ),
    Corruption("salt_and_pepper", salt_and_pepper, (0.02, 0.05, 0.1), "of pixels", "dust", "dusty"),
    Corruption(
        "broken_strokes", broken_strokes, (1, 2, 3), "gaps", "a pen that skips", "broken strokes"
    ),
)


def variant_names() -> tuple[str, ...]:
    """Every name in a suite, in order: `CLEAN`, then each corruption's three variants."""
    return (CLEAN, *(name for c in CORRUPTIONS for name in c.variants()))


def _variant_seed(seed: int, name: str) -> list[int]:
    # Each variant's generator depends on the suite's seed and the variant's name only, so
    # adding, removing or reordering corruptions leaves the other variants as they were.
    return [seed, zlib.crc32(name.encode())]


def robustness_suite(images: np.ndarray, labels: np.ndarray, seed: int) -> Suite:
    """Every corruption of `CORRUPTIONS` at each of its strengths, applied to `images`:
    `{"clean": (images, labels), "shift/mild": (...), ...}` (the order of `variant_names()`).

    Deterministic: the same images and seed give the same suite, byte for byte. Every
    variant has the images in their order, so the labels are the same (copies) throughout.
    """
    images = _check(images, 0)
    labels = np.asarray(labels)
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    suite: Suite = {CLEAN: (images.copy(), labels.copy())}
    for corruption in CORRUPTIONS:
        for name, strength in zip(corruption.variants(), corruption.strengths, strict=True):
            rng = np.random.default_rng(_variant_seed(seed, name))
            suite[name] = (corruption.function(images, strength, rng), labels.copy())
    return suite


def validation_suite(
    config: TrainingConfig,
    *,
    count: int | None = None,
    mnist: MnistArrays | None = None,
    seed: int = VALIDATION_SEED,
) -> Suite:
    """The suite for choosing: the validation split that `config`'s training held out
    (`mnist_tutorial.preprocess.split_validation` with `config.validation_size` and
    `config.data_seed`, as the notebooks split it), corrupted with the fixed seed `seed`. No
    image a model trained with `config` saw is in it, and no test image.

    `count` keeps the first `count` images (quick looks, tests); `mnist` is `load_mnist()`'s
    arrays, loaded when not given.
    """
    if not config.validation_size:
        raise ValueError("the validation suite needs a config with a validation_size")
    (x_train, y_train), _ = mnist or load_mnist(verbose=False)
    _, (x_val, y_val) = split_validation(x_train, y_train, config.validation_size, config.data_seed)
    return robustness_suite(x_val[:count], y_val[:count], seed)


def heldout_test_suite(
    *, count: int | None = None, mnist: MnistArrays | None = None, seed: int = TEST_SEED
) -> Suite:
    """The suite for reporting, once, when every choice is made: MNIST's 10,000 test images
    corrupted with the fixed seed `seed`. `count` and `mnist` as for `validation_suite`."""
    _, (x_test, y_test) = mnist or load_mnist(verbose=False)
    return robustness_suite(x_test[:count], y_test[:count], seed)


def corruption_means(accuracy: Mapping[str, float]) -> dict[str, float]:
    """A suite's accuracies (by variant, as `mnist_tutorial.evaluate.suite_accuracy` gives
    them) summed up for a table, by label: `AS_WRITTEN` (the clean images), then each
    corruption's `label` with its mean over its three strengths, then `MEAN_OF_ALL`, the mean
    over every corrupted variant."""
    means = {AS_WRITTEN: accuracy[CLEAN]}
    for corruption in CORRUPTIONS:
        means[corruption.label] = float(np.mean([accuracy[v] for v in corruption.variants()]))
    corrupted = [value for name, value in accuracy.items() if name != CLEAN]
    means[MEAN_OF_ALL] = float(np.mean(corrupted))
    return means


@dataclass(frozen=True)
class RobustnessSuites:
    """The course's two suites. `validation`: from the validation split, for choosing (as
    often as needed). `test`: from the test set, for reporting once, when the choices are
    made."""

    validation: Suite
    test: Suite


def robustness_suites(
    config: TrainingConfig,
    *,
    count: int | None = None,
    mnist: MnistArrays | None = None,
) -> RobustnessSuites:
    """Both suites for models trained with `config`: `validation_suite(config)` (seed
    `VALIDATION_SEED`) and `heldout_test_suite()` (seed `TEST_SEED`). `count` keeps the first
    `count` images of each; `mnist` is `load_mnist()`'s arrays, loaded when not given."""
    mnist = mnist or load_mnist(verbose=False)
    return RobustnessSuites(
        validation=validation_suite(config, count=count, mnist=mnist),
        test=heldout_test_suite(count=count, mnist=mnist),
    )
