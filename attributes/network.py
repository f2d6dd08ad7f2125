"""The attribute network: one convolutional backbone, one head per attribute.

The backbone is a VGG-style stack of 3x3 convolutions for 32x32 crops
(about 38 M multiply-adds per image). Its last feature map is flattened
rather than pooled because the string heads read symbols by position, and
global pooling would throw away where a digit sits.

Heads, all on the shared 256-d feature unless ``string_reader`` is set,
which gives the string heads their own branch on the 8x8 map (and
``column_reader`` reads that branch column by column, see ``ColumnReader``):

- categorical attribute: logits over the schema's values;
- string attribute: per-position logits over the alphabet plus an end symbol;
- embedding attribute: an L2-normalised vector, trained with a cosine-softmax
  (normalised-softmax) loss against learned class prototypes, so that the
  cosine similarity between two embeddings measures pictogram similarity.

A network with ``pictogram_descriptor`` set also returns, at inference, a
descriptor of each image for embedding attributes (``descriptor/NAME``): the
shared features, centred and projected onto their principal components,
then L2-normalised (``attributes.descriptor``). The head is trained on the
training pictograms; the descriptor keeps what the head discards about
pictograms it never saw, which one-shot matching of a new pictogram needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
import torch
import torch.nn.functional as F
from signrules.attributes.posteriors import Posteriors, SequencePosterior
from signrules.attributes.schema import Schema
from torch import nn

__all__ = ["DESCRIPTOR_PREFIX", "AttributeNet", "Backbone", "ColumnReader", "NetConfig", "PlainClassifier", "StringColumns",
           "outputs_to_posteriors"]

#: Output key prefix of an embedding attribute's descriptor.
DESCRIPTOR_PREFIX = "descriptor/"

# Per-channel statistics of the GTSRB training images, used to normalise input.
# Fixed constants rather than learned state so that the weights file does not
# depend on which images the statistics were computed from.
IMAGE_MEAN = (0.34, 0.31, 0.32)
IMAGE_STD = (0.27, 0.26, 0.27)


@dataclass(frozen=True)
class NetConfig:
    """Architecture of the attribute network; stored with the weights."""

    input_size: int = 32
    widths: tuple[int, int, int] = (32, 64, 128)
    feature_dim: int = 256
    dropout: float = 0.2
    #: Read digits and text from their own branch on the 1/4-resolution map
    #: instead of from the shared features (False in weights made before it).
    string_reader: bool = False
    #: Read strings with one symbol classifier shared by every position, each
    #: position attending to the columns of the string branch (needs
    #: ``string_reader``; False in weights made before it).
    column_reader: bool = False
    #: At inference, also describe pictograms with a fixed linear map of the
    #: shared features, fitted after training (False in weights made before it).
    pictogram_descriptor: bool = False

    def to_dict(self) -> dict:
        return {**asdict(self), "widths": list(self.widths)}

    @classmethod
    def from_dict(cls, data: dict) -> NetConfig:
        data = dict(data)
        data["widths"] = tuple(data["widths"])
        return cls(**data)


def _conv_block(in_channels: int, out_channels: int) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
        nn.Conv2d(out_channels, out_channels, 3, padding=1, bias=False),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
        nn.MaxPool2d(2),
    )


def _conv_bn_relu(in_channels: int, out_channels: int, kernel_size, **options) -> list[nn.Module]:
    """Return a convolution without bias, its batch norm and a ReLU, to splice into a Sequential."""
    return [
        nn.Conv2d(in_channels, out_channels, kernel_size, bias=False, **options),
        nn.BatchNorm2d(out_channels),
        nn.ReLU(inplace=True),
    ]


def _projection(in_features: int, config: NetConfig) -> nn.Sequential:
    """Flatten a feature map and project it to ``config.feature_dim`` features."""
    return nn.Sequential(
        nn.Flatten(),
        nn.Dropout(config.dropout),
        nn.Linear(in_features, config.feature_dim, bias=False),
        nn.BatchNorm1d(config.feature_dim),
        nn.ReLU(inplace=True),
    )


class Backbone(nn.Module):
    """Three conv stages, then a flattened map projected to ``feature_dim``."""

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        if config.input_size % 8:
            raise ValueError(f"input_size must be a multiple of 8, got {config.input_size}")
        c1, c2, c3 = config.widths
        self.register_buffer("mean", torch.tensor(IMAGE_MEAN).view(1, 3, 1, 1), persistent=False)
        self.register_buffer("std", torch.tensor(IMAGE_STD).view(1, 3, 1, 1), persistent=False)
        self.features = nn.Sequential(_conv_block(3, c1), _conv_block(c1, c2), _conv_block(c2, c3))
        side = config.input_size // 8
        self.project = _projection(c3 * side * side, config)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        """Map images (N, 3, H, W) in [0, 1] to features (N, feature_dim)."""
        return self.project(self.features((images - self.mean) / self.std))

    def forward_with_map(self, images: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Return the features and the second stage's map (N, widths[1], H/4, W/4)."""
        middle = self.features[1](self.features[0]((images - self.mean) / self.std))
        return self.project(self.features[2](middle)), middle


class StringReader(nn.Module):
    """A branch that reads digits and text from the 1/4-resolution map.

    The shared features come from a 4x4 map, where a digit of a 32-pixel crop
    is about one cell wide. The 8x8 map keeps the strokes apart.
    """

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        _, c2, c3 = config.widths
        side = config.input_size // 4
        self.layers = nn.Sequential(
            *_conv_bn_relu(c2, c3, 3, padding=1),
            _projection(c3 * side * side, config),
        )

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        """Map the 1/4-resolution map (N, widths[1], H/4, W/4) to string features (N, feature_dim)."""
        return self.layers(feature_map)


class StringColumns(nn.Module):
    """The string branch as a row of columns: (N, widths[2], 1, W/4) from the 1/4-resolution map.

    Each column sums the whole height of the map, so it describes a
    vertical slice of the legend. A convolution across columns adds its
    neighbours, where the rest of a glyph may lie.
    """

    def __init__(self, config: NetConfig) -> None:
        super().__init__()
        _, c2, c3 = config.widths
        side = config.input_size // 4
        self.layers = nn.Sequential(
            *_conv_bn_relu(c2, c3, 3, padding=1),
            *_conv_bn_relu(c3, c3, (side, 1)),
            *_conv_bn_relu(c3, c3, (1, 3), padding=(0, 1)),
            nn.Dropout(config.dropout),
        )

    def forward(self, feature_map: torch.Tensor) -> torch.Tensor:
        return self.layers(feature_map)


class ColumnReader(nn.Module):
    """Per-position logits of one string attribute, read from column features.

    Position ``k`` attends to the columns (a softmax over them, from the
    columns and their wider context), and one linear classifier turns the
    attended feature into logits over the symbols and the end symbol. The
    classifier is the same for every position, so a glyph learned at the
    end of one string can be read in the middle of another. Only the end
    symbol has a bias per position (it is likely at the third place),
    because a bias on every symbol would learn that a symbol never seen at
    a position cannot be there.

    NOTE: on real plates this did not carry over. A network that saw
    printed zeros only last, in "20" to "120", read a real "100" less often
    with this reader (docs/benchmarks.md). Each column's receptive field
    covers about the whole legend of a 32-pixel crop.
    """

    def __init__(self, channels: int, columns: int, max_length: int, num_symbols: int) -> None:
        super().__init__()
        # Two columns apart on each side: with the branch's own 1x3 this
        # reaches over all 8 columns of a 32-pixel crop, so a position can
        # tell how many glyphs there are and which of them is its own.
        self.context = nn.Sequential(*_conv_bn_relu(channels, channels, (1, 3), padding=(0, 2), dilation=(1, 2)))
        self.attend = nn.Conv2d(channels, max_length, 1)
        # Start each position looking at its own part of the row, left to
        # right across the middle, so that positions do not begin alike.
        centres = torch.linspace(columns * 0.25, columns * 0.75 - 1, max_length)
        offsets = torch.arange(columns, dtype=torch.float32)[None, :] - centres[:, None]
        self.column_prior = nn.Parameter(-0.5 * offsets**2 / 4.0)
        self.classify = nn.Linear(channels, num_symbols)
        self.end_bias = nn.Parameter(torch.zeros(max_length))

    def forward(self, columns: torch.Tensor) -> torch.Tensor:
        """Map columns (N, C, 1, W) to logits (N, max_length, num_symbols)."""
        scores = self.attend(self.context(columns)).squeeze(2) + self.column_prior
        weights = torch.softmax(scores, dim=2)
        glyphs = torch.einsum("nkw,ncw->nkc", weights, columns.squeeze(2))
        logits = self.classify(glyphs)
        # The end symbol is the last one (see SequencePosterior).
        return torch.cat([logits[..., :-1], logits[..., -1:] + self.end_bias[:, None]], dim=2)


class AttributeNet(nn.Module):
    """Backbone plus one head per schema attribute.

    ``forward`` returns a dict: categorical name -> logits (N, K); string
    name -> logits (N, max_length, alphabet + 1); embedding name -> unit
    vectors (N, dim).
    """

    def __init__(self, schema: Schema, config: NetConfig | None = None) -> None:
        super().__init__()
        self.schema = schema
        self.config = config or NetConfig()
        width = self.config.feature_dim
        self.backbone = Backbone(self.config)
        self.categorical_heads = nn.ModuleDict(
            {name: nn.Linear(width, len(a.values)) for name, a in schema.categorical.items()}
        )
        if self.config.column_reader and not self.config.string_reader:
            raise ValueError("column_reader reads the string branch, so it needs string_reader")
        self.string_reader: nn.Module | None = None
        if self.config.column_reader:
            self.string_reader = StringColumns(self.config)
            channels, columns = self.config.widths[2], self.config.input_size // 4
            self.string_heads = nn.ModuleDict(
                {name: ColumnReader(channels, columns, a.max_length, a.num_symbols)
                 for name, a in schema.strings.items()}
            )
        else:
            if self.config.string_reader:
                self.string_reader = StringReader(self.config)
            self.string_heads = nn.ModuleDict(
                {name: nn.Linear(width, a.max_length * a.num_symbols) for name, a in schema.strings.items()}
            )
        self.embedding_heads = nn.ModuleDict(
            {
                name: nn.Sequential(nn.Linear(width, width), nn.ReLU(inplace=True), nn.Linear(width, a.dim))
                for name, a in schema.embeddings.items()
            }
        )
        self.descriptors: nn.ModuleDict | None = None
        if self.config.pictogram_descriptor:
            self.descriptors = nn.ModuleDict({name: nn.Linear(width, a.dim) for name, a in schema.embeddings.items()})

    def forward(self, images: torch.Tensor) -> dict[str, torch.Tensor]:
        if self.string_reader is not None:
            features, feature_map = self.backbone.forward_with_map(images)
            string_features = self.string_reader(feature_map)
        else:
            features = string_features = self.backbone(images)
        outputs: dict[str, torch.Tensor] = {}
        for name, head in self.categorical_heads.items():
            outputs[name] = head(features)
        for name, head in self.string_heads.items():
            attribute = self.schema.strings[name]
            outputs[name] = head(string_features).view(-1, attribute.max_length, attribute.num_symbols)
        for name, head in self.embedding_heads.items():
            outputs[name] = F.normalize(head(features), dim=1)
        # Descriptors are fitted after training and have no loss.
        # NOTE: they are computed for every image, also for rule sets that
        # match by the head alone (0.03 MFLOPs per image).
        if self.descriptors is not None and not self.training:
            for name, layer in self.descriptors.items():
                outputs[DESCRIPTOR_PREFIX + name] = F.normalize(layer(features), dim=1)
        return outputs

    def shared_features(self, images: torch.Tensor) -> torch.Tensor:
        """Return the backbone's shared features (N, feature_dim), which the descriptor projects."""
        return self.backbone(images)


class PlainClassifier(nn.Module):
    """The same backbone with one softmax layer over dataset classes.

    This is the baseline that rule-based classification is measured against.
    """

    def __init__(self, num_classes: int, config: NetConfig | None = None) -> None:
        super().__init__()
        self.config = config or NetConfig()
        self.backbone = Backbone(self.config)
        self.classifier = nn.Linear(self.config.feature_dim, num_classes)

    def forward(self, images: torch.Tensor) -> torch.Tensor:
        return self.classifier(self.backbone(images))


def outputs_to_posteriors(
    outputs: dict[str, torch.Tensor], schema: Schema, temperatures: Mapping[str, float] | None = None
) -> Posteriors:
    """Convert network outputs (logits and embeddings) into Posteriors.

    ``temperatures`` divides a head's logits before the softmax (temperature
    scaling, fitted on validation data); heads without one use 1.
    """
    temperatures = temperatures or {}

    def softmax(name: str, dim: int) -> np.ndarray:
        return torch.softmax(outputs[name].float() / temperatures.get(name, 1.0), dim=dim).numpy()

    categorical = {name: softmax(name, 1) for name in schema.categorical}
    strings = {
        name: SequencePosterior(attribute, softmax(name, 2)) for name, attribute in schema.strings.items()
    }
    embeddings = {name: outputs[name].float().numpy().astype(np.float32) for name in schema.embeddings}
    descriptors = {name: outputs[DESCRIPTOR_PREFIX + name].float().numpy().astype(np.float32)
                   for name in schema.embeddings if DESCRIPTOR_PREFIX + name in outputs}
    return Posteriors(schema=schema, categorical=categorical, strings=strings, embeddings=embeddings,
                      descriptors=descriptors)
