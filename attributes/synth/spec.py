"""Sign specifications: what a synthetic sign shows and how its plate is made.

A ``SignSpec`` describes the sign itself, independent of any photograph of
it: the attribute values that become its label, the legend colour and the
design details (rim width, corner rounding, lettering) that vary between
countries. The renderer then photographs it with a random background,
framing and camera.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from signrules.attributes.errors import SchemaError
from signrules.attributes.labels import SYNTHETIC_PICTOGRAM_BASE
from signrules.attributes.schema import default_schema
from signrules.attributes.synth.colours import SIGN_COLOURS
from signrules.attributes.synth.lettering import FONTS
from signrules.attributes.synth.pictograms import BLANK_PICTOGRAM, NUM_PICTOGRAMS

__all__ = ["SignSpec", "SignStyle"]

_STRIKE_STYLES = ("band", "bar")


@dataclass(frozen=True)
class SignStyle:
    """Design details of a plate that carry no label.

    Lengths are in plate units, in which the larger side of the plate's
    bounding box runs from -1 to 1.
    """

    #: Width of the coloured rim inside the plate's edge.
    border_width: float = 0.16
    #: Colour of a thin edge outside the rim, or None for no edge.
    edge_colour: str | None = None
    #: Width of that edge.
    edge_width: float = 0.04
    #: Radius of the rounded corners of polygonal plates.
    corner_radius: float = 0.08
    #: Width divided by height of rectangular plates; other shapes ignore it.
    aspect: float = 1.0
    #: "band" for a band of thin parallel lines (German "end of" signs) or
    #: "bar" for one solid bar.
    strike_style: str = "band"
    #: Colour of the strike.
    strike_colour: str = "grey"
    #: Direction of the strike in degrees counter-clockwise from horizontal:
    #: 45 runs from lower left to upper right, -45 from upper left to lower right.
    strike_angle: float = 45.0
    #: Scale of the legend relative to the space the plate offers.
    legend_scale: float = 1.0
    #: Bundled font of digits and words: "din" or "sans" (see lettering.FONTS).
    font: str = "din"
    #: Horizontal stretch of the lettering relative to the font's own width.
    letter_stretch: float = 1.3
    #: Space between letters, as a fraction of the letter height.
    letter_spacing: float = 0.08
    #: Stroke weight of the lettering: -1 lighter, 0 as drawn, 1 bolder.
    font_weight: int = 0
    #: Colour of the secondary parts of a pictogram, such as the red car of
    #: a no-passing sign. None picks red on light plates and the legend
    #: colour on others.
    accent_colour: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 <= self.border_width <= 0.45:
            raise ValueError(f"border_width must be in [0, 0.45], got {self.border_width}")
        if not 0.0 <= self.edge_width <= 0.15:
            raise ValueError(f"edge_width must be in [0, 0.15], got {self.edge_width}")
        if not 0.0 <= self.corner_radius <= 0.4:
            raise ValueError(f"corner_radius must be in [0, 0.4], got {self.corner_radius}")
        if not 0.3 <= self.aspect <= 3.0:
            raise ValueError(f"aspect must be in [0.3, 3], got {self.aspect}")
        if self.strike_style not in _STRIKE_STYLES:
            raise ValueError(
                f"strike_style must be one of {', '.join(_STRIKE_STYLES)}, "
                f"got {self.strike_style!r}"
            )
        if not 0.5 <= self.legend_scale <= 1.2:
            raise ValueError(f"legend_scale must be in [0.5, 1.2], got {self.legend_scale}")
        if self.font not in FONTS:
            raise ValueError(f"font must be one of {', '.join(FONTS)}, got {self.font!r}")
        if not 0.6 <= self.letter_stretch <= 2.0:
            raise ValueError(f"letter_stretch must be in [0.6, 2], got {self.letter_stretch}")
        if not 0.0 <= self.letter_spacing <= 0.5:
            raise ValueError(f"letter_spacing must be in [0, 0.5], got {self.letter_spacing}")
        if self.font_weight not in (-1, 0, 1):
            raise ValueError(f"font_weight must be -1, 0 or 1, got {self.font_weight}")
        for name in ("edge_colour", "strike_colour", "accent_colour"):
            colour = getattr(self, name)
            if colour is not None and colour not in SIGN_COLOURS:
                raise ValueError(f"{name} must be one of {', '.join(SIGN_COLOURS)}, got {colour!r}")


@dataclass(frozen=True)
class SignSpec:
    """One synthetic sign: its attribute values, legend colour and design.

    ``shape``, ``fill``, ``border`` and ``strike`` take values of the default
    schema. ``digits`` and ``text`` are strings, "" for none. ``pictogram`` is
    a synthetic pictogram id (``SYNTHETIC_PICTOGRAM_BASE`` and up) or None.
    Construction raises SchemaError for a value outside the schema and
    ValueError for an invalid colour or pictogram id.
    """

    shape: str
    fill: str
    border: str
    strike: str = "none"
    digits: str = ""
    text: str = ""
    pictogram: int | None = None
    legend_colour: str = "black"
    style: SignStyle = field(default_factory=SignStyle)
    #: Name of the template the sign was drawn from, for inspection only.
    template: str = "custom"

    def __post_init__(self) -> None:
        schema = default_schema()
        for name in ("shape", "fill", "border", "strike"):
            schema.categorical[name].index(getattr(self, name))
        schema.strings["digits"].check(self.digits)
        schema.strings["text"].check(self.text)

        if self.pictogram is not None and not (
            SYNTHETIC_PICTOGRAM_BASE <= self.pictogram < SYNTHETIC_PICTOGRAM_BASE + NUM_PICTOGRAMS
        ):
            raise ValueError(
                f"pictogram must be a synthetic id in [{SYNTHETIC_PICTOGRAM_BASE}, "
                f"{SYNTHETIC_PICTOGRAM_BASE + NUM_PICTOGRAMS}), got {self.pictogram}"
            )
        if self.legend_colour not in SIGN_COLOURS:
            raise ValueError(
                f"legend_colour must be one of {', '.join(SIGN_COLOURS)}, "
                f"got {self.legend_colour!r}"
            )
        if self.border == "none" and self.style.edge_colour is not None:
            raise SchemaError(
                f'an edge of colour "{self.style.edge_colour}" around a plate with border "none" '
                "would read as a thin rim; set style.edge_colour to None or give the border "
                "a colour"
            )
        if self.border == self.fill:
            # A rim in the plate's own colour is invisible, so the image
            # would show border "none" under a label naming a colour.
            raise SchemaError(
                f'border "{self.border}" equals fill "{self.fill}", so the rim would be '
                'invisible; use border "none"'
            )

    @property
    def shown_pictogram(self) -> int | None:
        """Pictogram id the sign shows: the blank symbol on a plate without legend."""
        if self.pictogram is None and not self.digits and not self.text:
            return BLANK_PICTOGRAM
        return self.pictogram

    def record(self) -> dict[str, object]:
        """Return the label record of this sign, as ``encode_labels`` reads it."""
        return {
            "shape": self.shape,
            "fill": self.fill,
            "border": self.border,
            "strike": self.strike,
            "digits": self.digits,
            "text": self.text,
            "pictogram": self.shown_pictogram,
        }
