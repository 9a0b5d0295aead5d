"""The robustness suite: every corruption keeps the format, is seeded, does nothing at strength
0 and changes the digits the way its name says; the suite's validation variants come from the
validation split, never from the test set.

Small slices of real MNIST digits (a few dozen), so the whole file runs in seconds.
"""

from __future__ import annotations

import numpy as np
import pytest

from mnist_tutorial.config import MLPConfig
from mnist_tutorial.corruptions import (
    BREAK_SIZE,
    CLEAN,
    CORRUPTIONS,
    LEVELS,
    TEST_SEED,
    VALIDATION_SEED,
    blur,
    broken_strokes,
    gaussian_noise,
    robustness_suite,
    robustness_suites,
    rotate,
    salt_and_pepper,
    scale,
    shift,
    thicken,
    thin,
    variant_names,
)
from mnist_tutorial.preprocess import split_validation

BY_NAME = {c.name: c for c in CORRUPTIONS}
#: Corruptions with no random part: the same on every digit whatever the generator.
NOT_RANDOM = {"thicken", "thin", "blur"}


@pytest.fixture(scope="module")
def digits(mnist) -> tuple[np.ndarray, np.ndarray]:
    """40 training digits and their labels (read-only, so no corruption can write to them)."""
    (x_train, y_train), _ = mnist
    images, labels = x_train[:40].copy(), y_train[:40].copy()
    images.flags.writeable = False
    return images, labels


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def centre_of_mass(images: np.ndarray) -> np.ndarray:
    """(n, 2): each image's centre of mass, row and column."""
    rows, cols = np.indices(images.shape[1:])
    mass = images.sum(axis=(1, 2), dtype=np.float64)
    return (
        np.stack([(images * rows).sum(axis=(1, 2)), (images * cols).sum(axis=(1, 2))], 1)
        / (mass[:, None])
    )


def spread(images: np.ndarray) -> np.ndarray:
    """Each image's radius of gyration: the root mean square distance of its ink from its
    centre of mass, in pixels."""
    rows, cols = np.indices(images.shape[1:])
    centre = centre_of_mass(images)
    squared = (rows - centre[:, 0, None, None]) ** 2 + (cols - centre[:, 1, None, None]) ** 2
    return np.sqrt((images * squared).sum(axis=(1, 2)) / images.sum(axis=(1, 2)))


def orientation(image: np.ndarray) -> float:
    """The angle of the ink's principal axis, in degrees."""
    rows, cols = np.indices(image.shape)
    mass = image.sum(dtype=np.float64)
    r, c = (image * rows).sum() / mass, (image * cols).sum() / mass
    mu_rr = (image * (rows - r) ** 2).sum() / mass
    mu_cc = (image * (cols - c) ** 2).sum() / mass
    mu_rc = (image * (rows - r) * (cols - c)).sum() / mass
    return float(np.degrees(0.5 * np.arctan2(2 * mu_rc, mu_cc - mu_rr)))


def ink(images: np.ndarray) -> np.ndarray:
    """Pixels of ink (128 or brighter) in each image."""
    return (images >= 128).sum(axis=(1, 2))


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=lambda c: c.name)
def test_format_kept_input_untouched_seeded(corruption, digits) -> None:
    images, _ = digits
    before = images.copy()
    for strength in corruption.strengths:
        out = corruption.function(images, strength, rng(1))
        assert out.shape == images.shape and out.dtype == np.uint8
        np.testing.assert_array_equal(out, corruption.function(images, strength, rng(1)))
        if corruption.name not in NOT_RANDOM:
            assert not np.array_equal(out, corruption.function(images, strength, rng(2)))
    np.testing.assert_array_equal(images, before)


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=lambda c: c.name)
def test_strength_zero_is_the_identity(corruption, digits) -> None:
    images, _ = digits
    out = corruption.function(images, 0, rng())
    np.testing.assert_array_equal(out, images)
    assert out is not images


@pytest.mark.parametrize("corruption", CORRUPTIONS, ids=lambda c: c.name)
def test_every_strength_changes_the_digits_and_stronger_changes_them_more(
    corruption, digits
) -> None:
    images, _ = digits
    changes = []
    for strength in corruption.strengths:
        out = corruption.function(images, strength, rng())
        changed = (out != images).any(axis=(1, 2))
        assert changed.mean() >= 0.9, f"{corruption.name} {strength}: {changed.mean():.0%}"
        changes.append(np.abs(out.astype(int) - images).mean())
    assert changes == sorted(changes) and len(set(changes)) == 3, changes
    assert len(corruption.strengths) == len(LEVELS)
    assert list(corruption.strengths) == sorted(corruption.strengths)


def test_shift_moves_the_centre_of_mass_by_the_pixels(digits) -> None:
    images, _ = digits
    out = shift(images, 3, rng())
    whole = out.sum(axis=(1, 2)) == images.sum(axis=(1, 2))  # no ink pushed past the edge
    assert whole.mean() > 0.8
    moved = np.linalg.norm(centre_of_mass(out) - centre_of_mass(images), axis=1)[whole]
    # Whole-pixel steps: within half a pixel on each axis of the exact distance.
    assert np.all(np.abs(moved - 3) <= np.sqrt(0.5)), moved
    directions = centre_of_mass(out) - centre_of_mass(images)
    assert len({tuple(np.sign(d).astype(int)) for d in np.rint(directions[whole])}) >= 3


def test_rotate_turns_the_principal_axis_by_the_angle(digits) -> None:
    images, labels = digits
    ones = images[labels == 1]  # long and thin: a clear principal axis
    assert len(ones) >= 3
    out = rotate(ones, 30, rng())
    turns = [
        (orientation(after) - orientation(before) + 90) % 180 - 90
        for before, after in zip(ones, out, strict=True)
    ]
    np.testing.assert_allclose(np.abs(turns), 30, atol=4)
    both_ways = rotate(images, 30, rng())
    ink_kept = both_ways.sum(axis=(1, 2)) / images.sum(axis=(1, 2))
    assert np.all(np.abs(ink_kept - 1) < 0.1)


def test_scale_enlarges_or_shrinks_about_the_centre_of_mass(digits) -> None:
    images, _ = digits
    out = scale(images, 0.2, rng())
    ratio = spread(out) / spread(images)
    bigger = ratio > 1
    assert 0 < bigger.sum() < len(images)  # both ways, at random
    np.testing.assert_allclose(ratio[bigger], 1.2, rtol=0.06)
    np.testing.assert_allclose(ratio[~bigger], 1 / 1.2, rtol=0.06)
    shifts = np.linalg.norm(centre_of_mass(out) - centre_of_mass(images), axis=1)
    assert np.all(shifts < 0.5)


def test_thicker_strokes_have_more_ink_and_thinner_less(digits) -> None:
    images, _ = digits
    for pixels in (0.5, 1, 1.5):
        assert np.all(ink(thicken(images, pixels, rng())) > ink(images))
        assert np.all(thicken(images, pixels, rng()) >= images)
    for pixels in (0.25, 0.5, 0.75):
        assert np.all(ink(thin(images, pixels, rng())) < ink(images))
        assert np.all(thin(images, pixels, rng()) <= images)
    assert np.all(ink(thicken(images, 1, rng())) > ink(thicken(images, 0.5, rng())))


def test_blur_spreads_the_ink_and_keeps_its_amount(digits) -> None:
    images, _ = digits
    out = blur(images, 1.5, rng())
    assert np.all(spread(out) > spread(images))
    assert np.all(out.max(axis=(1, 2)) < images.max(axis=(1, 2)))
    total = out.sum(axis=(1, 2)) / images.sum(axis=(1, 2))
    np.testing.assert_allclose(total, 1, atol=0.02)


def test_gaussian_noise_has_the_spread_asked_for(digits) -> None:
    images, _ = digits
    out = gaussian_noise(images, 0.1, rng())
    middle = (images > 100) & (images < 155)  # far from 0 and 255: nothing clipped
    difference = out.astype(float)[middle] - images[middle]
    assert abs(difference.std() - 25.5) < 2.5 and abs(difference.mean()) < 2.5
    assert (out[images == 0] > 0).mean() > 0.4  # the black background is grainy now


def test_salt_and_pepper_hits_the_share_of_pixels(digits) -> None:
    images, _ = digits
    out = salt_and_pepper(images, 0.1, rng())
    changed = out != images
    assert set(np.unique(out[changed])) <= {0, 255}
    background = images == 0
    # White dust on about half the hit background pixels: 5 % of them.
    assert abs((out[background] == 255).mean() - 0.05) < 0.01
    with pytest.raises(ValueError, match="at most 1"):
        salt_and_pepper(images, 1.5, rng())


def test_broken_strokes_only_erase_ink_in_small_squares(digits) -> None:
    images, _ = digits
    out = broken_strokes(images, 2, rng())
    assert np.all(out <= images)
    assert np.all(ink(out) < ink(images))
    erased = (out != images).sum(axis=(1, 2))
    assert np.all(erased <= 2 * BREAK_SIZE**2)
    with pytest.raises(ValueError, match="whole number"):
        broken_strokes(images, 1.5, rng())


def test_bad_input_is_refused(digits) -> None:
    images, _ = digits
    with pytest.raises(ValueError, match="uint8 images"):
        blur(images.astype(np.float32) / 255, 1, rng())
    with pytest.raises(ValueError, match="uint8 images"):
        blur(images[0], 1, rng())
    with pytest.raises(ValueError, match="0 or more"):
        shift(images, -1, rng())


def test_the_suite_is_every_variant_seeded_with_the_labels_unchanged(digits) -> None:
    images, labels = digits
    suite = robustness_suite(images, labels, seed=7)
    assert tuple(suite) == variant_names()
    assert len(suite) == 1 + len(LEVELS) * len(CORRUPTIONS)
    np.testing.assert_array_equal(suite[CLEAN][0], images)
    again = robustness_suite(images, labels, seed=7)
    other = robustness_suite(images, labels, seed=8)
    for name, (x, y) in suite.items():
        np.testing.assert_array_equal(y, labels)
        assert x.shape == images.shape and x.dtype == np.uint8
        np.testing.assert_array_equal(x, again[name][0])
        corruption = name.split("/")[0]
        if name != CLEAN and corruption not in NOT_RANDOM:
            assert not np.array_equal(x, other[name][0]), name
    # Each variant is its corruption at its strength.
    for name in ("blur", "thicken"):
        strength = BY_NAME[name].strengths[2]
        function = BY_NAME[name].function
        np.testing.assert_array_equal(suite[f"{name}/strong"][0], function(images, strength, rng()))
    with pytest.raises(ValueError, match="labels"):
        robustness_suite(images, labels[:-1], seed=7)


def test_validation_variants_come_from_the_validation_split_never_the_test_set(mnist) -> None:
    config = MLPConfig()
    (x_train, y_train), (x_test, y_test) = mnist
    _, (x_val, y_val) = split_validation(x_train, y_train, config.validation_size, config.data_seed)
    test_images = {image.tobytes() for image in x_test}
    assert not any(image.tobytes() in test_images for image in x_val)

    suites = robustness_suites(config, count=12, mnist=mnist)
    assert tuple(suites.validation) == tuple(suites.test) == variant_names()
    np.testing.assert_array_equal(suites.validation[CLEAN][0], x_val[:12])
    np.testing.assert_array_equal(suites.validation[CLEAN][1], y_val[:12])
    np.testing.assert_array_equal(suites.test[CLEAN][0], x_test[:12])
    expected = robustness_suite(x_val[:12], y_val[:12], VALIDATION_SEED)
    for name, (x, y) in suites.validation.items():
        np.testing.assert_array_equal(x, expected[name][0])
        np.testing.assert_array_equal(y, y_val[:12])
        assert not any(image.tobytes() in test_images for image in x), name
    assert VALIDATION_SEED != TEST_SEED
    from_test_set = robustness_suite(x_test[:12], y_test[:12], TEST_SEED)
    np.testing.assert_array_equal(suites.test["shift/medium"][0], from_test_set["shift/medium"][0])
    assert not np.array_equal(suites.test["shift/medium"][0], expected["shift/medium"][0])
    with pytest.raises(ValueError, match="validation_size"):
        robustness_suites(config.replace(validation_size=0), mnist=mnist)


def test_corruption_means_average_each_corruption_over_its_strengths() -> None:
    from mnist_tutorial.corruptions import AS_WRITTEN, MEAN_OF_ALL, corruption_means, variant_names

    accuracy = {name: 0.5 for name in variant_names()}
    accuracy["clean"] = 0.99
    accuracy["shift/mild"], accuracy["shift/medium"], accuracy["shift/strong"] = 0.9, 0.6, 0.3
    means = corruption_means(accuracy)
    assert list(means) == [AS_WRITTEN, *(c.label for c in CORRUPTIONS), MEAN_OF_ALL]
    assert means["as written"] == 0.99 and means["moved"] == pytest.approx(0.6)
    assert means["turned"] == 0.5
    assert len({c.label for c in CORRUPTIONS}) == len(CORRUPTIONS)
    assert means[MEAN_OF_ALL] == pytest.approx((0.9 + 0.6 + 0.3 + 24 * 0.5) / 27)
