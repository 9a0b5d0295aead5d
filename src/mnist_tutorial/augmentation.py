"""Data augmentation inside the model: new variants of every training digit at every epoch.

Model layer.

`augmentation_layers(config)` gives the layers that `build_cnn` puts right after the input
when a `CNNConfig` asks for augmentation: Keras' own `RandomTranslation`, `RandomRotation`
and `RandomZoom`, and `RandomStrokeWidth` (below), which Keras lacks. Each acts only while
training (`fit`); at prediction they pass the image through unchanged, so a saved model reads
a digit exactly as the network without them would.

`RandomStrokeWidth` makes each image's strokes thicker or thinner by a random fraction of a
pixel: a grey dilation (the largest value in each 3x3 neighbourhood) or erosion (the
smallest), blended with the image. Loading a saved model that holds it needs the class:
`CUSTOM_OBJECTS` names it for `keras.saving.load_model(..., custom_objects=...)`, which
`mnist_tutorial.storage` passes; nothing is registered globally on import.
"""

from __future__ import annotations

from typing import Any

from mnist_tutorial._keras import keras
from mnist_tutorial.config import CNNConfig

ops = keras.ops

#: The fill of the pixels a shift, turn or zoom brings in: MNIST's black background.
FILL = {"fill_mode": "constant", "fill_value": 0.0}


class RandomStrokeWidth(keras.layers.Layer):
    """Thicker or thinner strokes while training: each image gets a random change `t` in
    [-factor, factor]; `t > 0` blends `t` of a 3x3 dilation in, `t < 0` `-t` of a 3x3
    erosion. `factor` is at most 1 (one pixel a side). Inactive at prediction."""

    def __init__(self, factor: float, seed: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not 0.0 <= factor <= 1.0:
            raise ValueError(f"factor must be between 0 and 1, got {factor}")
        self.factor = float(factor)
        self.seed = seed
        self.seed_generator = keras.random.SeedGenerator(seed)
        self.supports_masking = True

    def call(self, images: Any, training: bool = True) -> Any:
        if not training or not self.factor:
            return images
        change = keras.random.uniform(
            (ops.shape(images)[0], 1, 1, 1),
            minval=-self.factor,
            maxval=self.factor,
            seed=self.seed_generator,
        )
        thicker = ops.max_pool(images, pool_size=3, strides=1, padding="same")
        thinner = -ops.max_pool(-images, pool_size=3, strides=1, padding="same")
        target = ops.where(change > 0, thicker, thinner)
        return images + ops.abs(change) * (target - images)

    def compute_output_shape(self, input_shape: tuple[int | None, ...]) -> tuple[int | None, ...]:
        return input_shape

    def get_config(self) -> dict[str, Any]:
        return {**super().get_config(), "factor": self.factor, "seed": self.seed}


#: What `keras.saving.load_model` needs to read a model that holds `RandomStrokeWidth`.
CUSTOM_OBJECTS: dict[str, type] = {"RandomStrokeWidth": RandomStrokeWidth}

#: The augmentation layers' classes: inactive at prediction, so an export skips them.
AUGMENTATION_LAYERS: tuple[type, ...] = (
    keras.layers.RandomTranslation,
    keras.layers.RandomRotation,
    keras.layers.RandomZoom,
    RandomStrokeWidth,
)


def augmentation_layers(config: CNNConfig) -> list[keras.layers.Layer]:
    """The config's augmentation, as layers to put after the input (none when it asks for
    none): a shift of up to `augment_shift` pixels each way, a turn of up to
    `augment_rotation` degrees, a zoom in or out by up to `augment_zoom`, strokes changed by
    up to `augment_stroke` of a pixel a side."""
    layers: list[keras.layers.Layer] = []
    if config.augment_shift:
        share = config.augment_shift / 28
        layers.append(keras.layers.RandomTranslation(share, share, **FILL))
    if config.augment_rotation:
        layers.append(keras.layers.RandomRotation(config.augment_rotation / 360, **FILL))
    if config.augment_zoom:
        layers.append(keras.layers.RandomZoom(config.augment_zoom, **FILL))
    if config.augment_stroke:
        layers.append(RandomStrokeWidth(config.augment_stroke))
    return layers
