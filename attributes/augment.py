"""Batched training augmentation for sign crops, real and synthetic.

``TrainAugment`` changes geometry (rotation, scale, translation, shear and
a mild perspective, all in one ``grid_sample`` call per batch) and the
photograph (brightness, contrast, saturation, gamma, a small hue shift,
over- and underexposure, stains, occluding bars, blur, low resolution,
sensor noise, compression blocks). ``wash_out`` takes the colour out of
some images, for training heads that must not depend on it. It never flips an image: a mirrored "keep right" is "keep left",
and mirrored digits are no digits. Hue moves by a few degrees only,
because colour is a label: a large shift turns a red rim blue.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F

__all__ = ["TrainAugment"]

# Hue is an angle around the grey axis (1, 1, 1) of RGB space: _GREY
# projects onto that axis and _TURN is the cross product with its unit
# vector, the generator of rotations about it.
_GREY = torch.full((3, 3), 1.0 / 3.0)
_TURN = torch.tensor([[0.0, -1.0, 1.0], [1.0, 0.0, -1.0], [-1.0, 1.0, 0.0]]) / math.sqrt(3.0)

# Side lengths (pixels) that low-resolution simulation shrinks images to
# before scaling them back, the range of small GTSRB crops.
_LOW_RESOLUTIONS = (10, 12, 14, 16, 20, 24)


@dataclass(frozen=True)
class _Ranges:
    """Augmentation magnitudes at strength 1."""

    rotation: float
    scale: tuple[float, float]
    translation: float
    shear: float
    perspective: float
    brightness: float
    contrast: float
    saturation: float
    gamma: float
    hue: float
    exposure: float
    stains: float
    occlusion: float
    washout: float
    blur: float
    low_resolution: float
    noise: float
    blocks: float


class TrainAugment:
    """Random geometric and photometric changes of a batch (N, 3, H, W) in [0, 1].

    ``strength`` scales every magnitude and probability linearly: 0 returns
    the batch unchanged, 1 uses the values given, and 2 doubles them, with
    probabilities capped at 1. The arguments are, at strength 1:

    - ``rotation``, ``shear``: the largest angle, in degrees;
    - ``scale``: the smallest and largest zoom of the content;
    - ``translation``: the largest shift, as a fraction of the image size;
    - ``perspective``: the largest projective tilt, in normalised coordinates;
    - ``brightness``, ``contrast``, ``saturation``: the largest relative change;
    - ``gamma``: the largest gamma exponent, whose inverse is the smallest;
    - ``hue``: the largest rotation about the grey axis, in turns;
    - ``exposure``: the probability per image of a badly exposed shot, half
      of them overexposed (scaled to a mean of 0.6 to 0.8, then clipped, so
      a red rim pales towards white) and half underexposed (scaled to a mean
      of 0.08 to 0.18). It defaults to 0, because a network trained with
      0.1 was no better on the validation split;
    - ``stains``: the probability per image of dirt on the sign, blotches
      a few pixels wide that darken and tint it;
    - ``occlusion``: the probability per image of a bar across the edge of
      the crop (a pole, branch or barrier in front of the sign);
    - ``washout``: the probability per image that ``wash_out`` takes most of
      its colour away (``__call__`` does not apply it, because the caller
      must drop the colour labels of those images);
    - ``blur``, ``low_resolution``, ``blocks``: the probability per image;
    - ``noise``: the largest standard deviation of Gaussian sensor noise.
    """

    def __init__(
        self,
        strength: float = 1.0,
        *,
        rotation: float = 12.0,
        scale: tuple[float, float] = (0.8, 1.15),
        translation: float = 0.1,
        shear: float = 6.0,
        perspective: float = 0.06,
        brightness: float = 0.4,
        contrast: float = 0.4,
        saturation: float = 0.4,
        gamma: float = 1.4,
        hue: float = 0.02,
        exposure: float = 0.0,
        stains: float = 0.0,
        occlusion: float = 0.0,
        washout: float = 0.0,
        blur: float = 0.3,
        low_resolution: float = 0.25,
        noise: float = 0.03,
        blocks: float = 0.1,
    ) -> None:
        _check_range("strength", strength, 0.0, 2.0)
        _check_range("rotation", rotation, 0.0, 45.0)
        if not (len(scale) == 2 and 0.3 <= scale[0] <= 1.0 <= scale[1] <= 3.0):
            raise ValueError(
                f"scale must be (low, high) with 0.3 <= low <= 1 <= high <= 3, got {scale}"
            )
        _check_range("translation", translation, 0.0, 0.5)
        _check_range("shear", shear, 0.0, 30.0)
        _check_range("perspective", perspective, 0.0, 0.3)
        _check_range("brightness", brightness, 0.0, 0.9)
        _check_range("contrast", contrast, 0.0, 0.9)
        _check_range("saturation", saturation, 0.0, 1.0)
        _check_range("gamma", gamma, 1.0, 3.0)
        # Beyond about 0.05 turns (18 degrees) a red rim starts to look orange
        # or magenta, which changes the label.
        _check_range("hue", hue, 0.0, 0.05)
        for name, probability in (
            ("exposure", exposure),
            ("stains", stains),
            ("occlusion", occlusion),
            ("washout", washout),
            ("blur", blur),
            ("low_resolution", low_resolution),
            ("blocks", blocks),
        ):
            _check_range(name, probability, 0.0, 1.0)
        _check_range("noise", noise, 0.0, 0.2)

        self.strength = float(strength)
        self.ranges = _Ranges(
            rotation,
            (float(scale[0]), float(scale[1])),
            translation,
            shear,
            perspective,
            brightness,
            contrast,
            saturation,
            gamma,
            hue,
            exposure,
            stains,
            occlusion,
            washout,
            blur,
            low_resolution,
            noise,
            blocks,
        )

    def __repr__(self) -> str:
        fields = ", ".join(f"{name}={value!r}" for name, value in vars(self.ranges).items())
        return f"TrainAugment(strength={self.strength}, {fields})"

    def __call__(
        self, images: torch.Tensor, generator: torch.Generator | None = None
    ) -> torch.Tensor:
        """Return an augmented copy of ``images``, the same for the same generator state."""
        if images.ndim != 4 or images.shape[1] != 3:
            raise ValueError(f"images must have shape (N, 3, H, W), got {tuple(images.shape)}")
        if not images.is_floating_point():
            raise ValueError(
                f"images must be a floating-point tensor in [0, 1], got dtype {images.dtype}"
            )
        if self.strength == 0.0 or images.shape[0] == 0:
            return images.clone()

        sampler = _Sampler(images.shape[0], generator, images.device)
        result = self._warp(images, sampler)
        result = self._colour(result, sampler)
        result = self._clutter(result, sampler)
        result = self._degrade(result, sampler)
        return result.clamp_(0.0, 1.0)

    def wash_out(
        self, images: torch.Tensor, generator: torch.Generator | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Wash out the colours of some images; return them and which ones, bool (N,).

        A sign shot against the sun, or bleached by years of it, keeps its
        shape, legend and pictogram but loses the colour of rim and plate.
        On a validation track of GTSRB the red rim of "no trucks" looks
        white, and the pictogram embedding moves towards the white "end of"
        signs. Each chosen image keeps 0 to 40 % of its saturation, and half
        of them are faded towards white as well. The caller drops the
        colour labels of the chosen images (``CategoricalAttribute.colour``),
        since a grey rim no longer shows that it is red. At probability 0
        nothing is drawn, so runs without it keep their random stream.
        """
        count = images.shape[0]
        probability = min(self.ranges.washout * self.strength, 1.0)
        if probability == 0.0 or count == 0:
            return images, torch.zeros(count, dtype=torch.bool, device=images.device)
        sampler = _Sampler(count, generator, images.device)
        washed = sampler.chance(probability)
        saturation = sampler.uniform(0.0, 0.4)
        faded = sampler.chance(0.5)
        # Fading multiplies the distance to white: 1 keeps it, 0.4 leaves
        # two fifths of the contrast, like a clipped sky-lit plate.
        keep = torch.where(faded, sampler.uniform(0.4, 0.8), torch.ones(count, device=images.device))
        grey = images.mean(dim=1, keepdim=True)
        shape = (count, 1, 1, 1)
        result = grey + saturation.view(shape).to(images.dtype) * (images - grey)
        result = 1.0 - (1.0 - result) * keep.view(shape).to(images.dtype)
        result = torch.where(washed.view(shape), result, images)
        return result.clamp(0.0, 1.0), washed

    # --- geometry ----------------------------------------------------------

    def _warp(self, images: torch.Tensor, sampler: _Sampler) -> torch.Tensor:
        """Resample every image through its own projective map, in one grid_sample call."""
        ranges, strength = self.ranges, self.strength
        count, _, height, width = images.shape

        angle = torch.deg2rad(sampler.symmetric(ranges.rotation * strength))
        low, high = (1.0 + (bound - 1.0) * strength for bound in ranges.scale)
        zoom = torch.exp(sampler.uniform(math.log(max(low, 0.05)), math.log(high)))
        shear = torch.tan(torch.deg2rad(sampler.symmetric(ranges.shear * strength)))
        # Normalised coordinates span 2 units, so a fraction f of the image is 2 f.
        shift_x = sampler.symmetric(2 * ranges.translation * strength)
        shift_y = sampler.symmetric(2 * ranges.translation * strength)
        tilt_x = sampler.symmetric(ranges.perspective * strength)
        tilt_y = sampler.symmetric(ranges.perspective * strength)

        # Forward map of the content: zoom, shear, rotate, then shift; the
        # bottom row adds perspective. grid_sample needs the inverse.
        cos, sin = torch.cos(angle), torch.sin(angle)
        forward = torch.zeros(count, 3, 3, device=images.device)
        forward[:, 0, 0] = zoom * cos
        forward[:, 0, 1] = zoom * (cos * shear - sin)
        forward[:, 1, 0] = zoom * sin
        forward[:, 1, 1] = zoom * (sin * shear + cos)
        forward[:, 0, 2] = shift_x
        forward[:, 1, 2] = shift_y
        forward[:, 2, 0] = tilt_x
        forward[:, 2, 1] = tilt_y
        forward[:, 2, 2] = 1.0
        inverse = torch.linalg.inv(forward)

        xs = (torch.arange(width, device=images.device, dtype=images.dtype) * 2 + 1) / width - 1
        ys = (torch.arange(height, device=images.device, dtype=images.dtype) * 2 + 1) / height - 1
        grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
        points = torch.stack([grid_x, grid_y, torch.ones_like(grid_x)], dim=-1).reshape(-1, 3)
        mapped = torch.einsum("nij,pj->npi", inverse.to(images.dtype), points)
        grid = (mapped[..., :2] / mapped[..., 2:].clamp(min=1e-3)).reshape(count, height, width, 2)

        # Border padding repeats the edge, so no black frame appears that
        # real crops never have.
        return F.grid_sample(
            images, grid, mode="bilinear", padding_mode="border", align_corners=False
        )

    # --- colour ------------------------------------------------------------

    def _colour(self, images: torch.Tensor, sampler: _Sampler) -> torch.Tensor:
        ranges, strength = self.ranges, self.strength
        count = images.shape[0]
        shape = (count, 1, 1, 1)

        brightness = 1.0 + sampler.symmetric(min(ranges.brightness * strength, 0.95))
        images = images * brightness.view(shape)

        contrast = 1.0 + sampler.symmetric(min(ranges.contrast * strength, 0.95))
        mean = images.mean(dim=(1, 2, 3), keepdim=True)
        images = mean + (images - mean) * contrast.view(shape)

        # Saturation scales and hue rotates the part of each colour
        # perpendicular to the grey axis: one 3 x 3 matrix per image,
        # grey + saturation * (cos(hue) * (I - grey) + sin(hue) * turn).
        saturation = 1.0 + sampler.symmetric(min(ranges.saturation * strength, 1.0))
        hue = 2 * math.pi * sampler.symmetric(min(ranges.hue * strength, 0.05))
        grey = _GREY.to(images.device)
        turn = _TURN.to(images.device)
        perpendicular = torch.eye(3, device=images.device) - grey
        cos = (saturation * torch.cos(hue)).view(count, 1, 1)
        sin = (saturation * torch.sin(hue)).view(count, 1, 1)
        matrices = (grey + cos * perpendicular + sin * turn).to(images.dtype)
        images = torch.einsum("nij,njhw->nihw", matrices, images)

        log_gamma = math.log(1.0 + (ranges.gamma - 1.0) * strength)
        gamma = torch.exp(sampler.symmetric(log_gamma))
        images = images.clamp(min=0.0) ** gamma.view(shape).to(images.dtype)

        # Exposure failures beyond the brightness range above: tracks shot
        # into the sun lose the red of their rim to clipping, and tracks in
        # shadow keep only a few grey levels. The gain brings the image's
        # mean to a drawn level rather than multiplying it by a drawn factor,
        # so an image that was already dark is not pushed to black. It
        # multiplies every channel, and the clip to 1 is the sensor's. At
        # probability 0 nothing is drawn, so runs without it keep their
        # random stream.
        probability = min(ranges.exposure * strength, 1.0)
        if probability == 0.0:
            return images
        badly_exposed = sampler.chance(probability)
        over = sampler.chance(0.5)
        target = torch.where(over, sampler.uniform(0.6, 0.8), sampler.uniform(0.08, 0.18))
        mean = images.mean(dim=(1, 2, 3)).clamp(min=1e-3)
        gain = torch.where(over, (target / mean).clamp(min=1.0), (target / mean).clamp(max=1.0))
        gain = torch.where(badly_exposed, gain, torch.ones_like(gain))
        return (images * gain.view(shape).to(images.dtype)).clamp(max=1.0)

    # --- dirt and occluders ------------------------------------------------

    def _clutter(self, images: torch.Tensor, sampler: _Sampler) -> torch.Tensor:
        """Stain some signs and put a bar in front of others.

        Real tracks show plates with grime that the digit reader takes for
        digits and the pictogram embedding for a pictogram, and barriers or
        branches across a crop's edge. At probability 0 nothing is drawn,
        so runs without them keep their random stream.
        """
        ranges, strength = self.ranges, self.strength
        count, _, height, width = images.shape
        shape = (count, 1, 1, 1)

        probability = min(ranges.stains * strength, 1.0)
        if probability > 0.0:
            stained = sampler.chance(probability)
            # Blotches: smooth noise from a coarse grid, kept where it is
            # high, so that stains cover about a fifth of the crop.
            grid = sampler.normal(torch.Size((count, 1, 6, 6))).to(images.dtype)
            field = F.interpolate(grid, size=(height, width), mode="bicubic", align_corners=False)
            blotches = ((field - 0.8) / 0.8).clamp(0.0, 1.0)
            depth = (sampler.uniform(0.2, 0.55) * stained).view(shape).to(images.dtype)
            # Grime is brownish or greenish grey, not a saturated colour.
            tint = 1.0 + 0.15 * sampler.normal(torch.Size((count, 3, 1, 1))).to(images.dtype).clamp(-2, 2)
            images = images * (1.0 - depth * blotches * tint)

        probability = min(ranges.occlusion * strength, 1.0)
        if probability > 0.0:
            occluded = sampler.chance(probability)
            # A band at angle theta, whose centre line passes 0.3 to 0.45 of
            # the crop from its centre, 8 to 20 % of the crop wide: it covers
            # part of the rim, rarely the legend.
            theta = sampler.uniform(0.0, 2 * math.pi).view(count, 1, 1)
            offset = sampler.uniform(0.3, 0.45).view(count, 1, 1)
            half_width = sampler.uniform(0.04, 0.10).view(count, 1, 1)
            ys = (torch.arange(height, device=images.device, dtype=images.dtype) + 0.5) / height - 0.5
            xs = (torch.arange(width, device=images.device, dtype=images.dtype) + 0.5) / width - 0.5
            grid_y, grid_x = torch.meshgrid(ys, xs, indexing="ij")
            distance = grid_x[None] * torch.cos(theta) + grid_y[None] * torch.sin(theta) - offset
            edge = 1.0 / max(height, width)
            band = ((half_width - distance.abs()) / edge + 0.5).clamp(0.0, 1.0)
            band = band * occluded.view(count, 1, 1).to(images.dtype)
            # Dark to mid grey, with some brown or yellow (barriers, wood).
            level = sampler.uniform(0.05, 0.6).view(count, 1, 1, 1)
            cast = 1.0 + 0.25 * sampler.normal(torch.Size((count, 3, 1, 1))).clamp(-2, 2)
            colour = (level * cast).clamp(0.0, 1.0).to(images.dtype)
            images = images + band[:, None] * (colour - images)
        return images

    # --- camera degradations -----------------------------------------------

    def _degrade(self, images: torch.Tensor, sampler: _Sampler) -> torch.Tensor:
        ranges, strength = self.ranges, self.strength
        count, channels, height, width = images.shape

        # Gaussian blur with a sigma per image, as one grouped convolution
        # per axis; images without blur get a unit kernel.
        blurred = sampler.chance(min(ranges.blur * strength, 1.0))
        sigma = sampler.uniform(0.3, 1.1) * blurred
        if bool(blurred.any()):
            offsets = torch.arange(-2, 3, device=images.device, dtype=images.dtype)
            kernels = torch.exp(
                -(offsets[None] ** 2) / (2 * sigma.clamp(min=1e-3)[:, None].to(images.dtype) ** 2)
            )
            kernels = kernels / kernels.sum(dim=1, keepdim=True)
            kernels = kernels.repeat_interleave(channels, dim=0)
            flat = images.reshape(1, count * channels, height, width)
            flat = F.conv2d(
                F.pad(flat, (2, 2, 0, 0), mode="replicate"),
                kernels[:, None, None, :],
                groups=count * channels,
            )
            flat = F.conv2d(
                F.pad(flat, (0, 0, 2, 2), mode="replicate"),
                kernels[:, None, :, None],
                groups=count * channels,
            )
            images = flat.reshape(count, channels, height, width)

        # Low resolution: shrink to a small size and scale back, grouped by
        # target size so there is one pair of interpolations per size.
        small = sampler.chance(min(ranges.low_resolution * strength, 1.0))
        choice = sampler.integers(len(_LOW_RESOLUTIONS))
        if bool(small.any()):
            images = images.clone()
            for index, side in enumerate(_LOW_RESOLUTIONS):
                selected = (small & (choice == index)).nonzero().flatten().to(images.device)
                if selected.numel() == 0 or side >= min(height, width):
                    continue
                shrunk = F.interpolate(images[selected], size=(side, side), mode="area")
                images[selected] = F.interpolate(
                    shrunk, size=(height, width), mode="bilinear", align_corners=False
                )

        # Compression-like blocks: blend in a block-averaged copy.
        blocky = sampler.chance(min(ranges.blocks * strength, 1.0))
        if bool(blocky.any()):
            block = max(2, min(height, width) // 8)
            averaged = F.avg_pool2d(images, block, ceil_mode=True)
            blocks = F.interpolate(averaged, scale_factor=block, mode="nearest")[
                ..., :height, :width
            ]
            weight = (sampler.uniform(0.15, 0.45) * blocky).view(count, 1, 1, 1).to(images.dtype)
            images = images + weight * (blocks - images)

        sigma = sampler.uniform(0.0, ranges.noise * strength).view(count, 1, 1, 1).to(images.dtype)
        return images + sigma * sampler.normal(images.shape).to(images.dtype)


class _Sampler:
    """Random draws for a batch, from one generator, moved to the images' device."""

    def __init__(self, count: int, generator: torch.Generator | None, device: torch.device) -> None:
        self.count = count
        self.generator = generator
        self.source = generator.device if generator is not None else torch.device("cpu")
        self.device = device

    def uniform(self, low: float, high: float) -> torch.Tensor:
        values = torch.rand(self.count, generator=self.generator, device=self.source)
        return (low + (high - low) * values).to(self.device)

    def symmetric(self, bound: float) -> torch.Tensor:
        return self.uniform(-bound, bound)

    def chance(self, probability: float) -> torch.Tensor:
        return self.uniform(0.0, 1.0) < probability

    def integers(self, high: int) -> torch.Tensor:
        return torch.randint(high, (self.count,), generator=self.generator, device=self.source).to(
            self.device
        )

    def normal(self, shape: torch.Size) -> torch.Tensor:
        return torch.randn(shape, generator=self.generator, device=self.source).to(self.device)


def _check_range(name: str, value: float, low: float, high: float) -> None:
    if not low <= value <= high:
        raise ValueError(f"{name} must be in [{low}, {high}], got {value}")
