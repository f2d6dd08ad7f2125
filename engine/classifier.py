"""The classifier API: network, rule set and exemplar bank composed.

    >>> from signrules.engine.classifier import Classifier
    >>> classifier = Classifier()                    # shipped weights and German rules
    >>> result = classifier.classify("sign.ppm")
    >>> result.sign_id, result.score, result.rule    # doctest: +SKIP
    ('stop', 0.97, 'rules/de/priority.signs:12')
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from pathlib import Path

import numpy as np
from PIL import Image
from signrules.attributes.decode import centre_zoom, decode_image, prepare_batch
from signrules.attributes.glyphs import DEFAULT_GLYPH_WEIGHTS_PATH, GlyphReader
from signrules.attributes.inference import GLYPH_WEIGHT, PRECISIONS, AttributePredictor
from signrules.attributes.posteriors import Posteriors
from signrules.attributes.schema import Schema
from signrules.attributes.weights import DEFAULT_WEIGHTS_PATH, load_attribute_net
from signrules.engine.calibration import load_calibration
from signrules.engine.errors import ClassifierError, ExemplarError
from signrules.engine.exemplars import ExemplarBank, add_exemplar_images
from signrules.engine.loader import load_ruleset
from signrules.engine.results import UNKNOWN, Decision, Evidence, SignScore
from signrules.engine.ruleset import RuleSet
from signrules.rules import DEFAULT_RULESET

__all__ = ["AttributeReading", "Classification", "Classifier", "ImageInput"]

log = logging.getLogger(__name__)

#: One image as ``classify`` accepts it.
ImageInput = str | Path | Image.Image | np.ndarray

#: Centre crops, as fractions of the image's side, tried in turn on an
#: image that no rule matches. The network learned signs framed as GTSRB
#: frames them, filling about 80 % of the crop. On validation images
#: framed more loosely, so that the sign fills half of that, 11 % were
#: classified correctly, and 88 % with these crops (docs/benchmarks.md).
#: NOTE: only centred crops are tried, so a loosely framed sign off the
#: centre of its image stays unknown.
ZOOM_STEPS = (0.8, 0.65, 0.5)


@dataclass(frozen=True)
class AttributeReading:
    """The most likely value of one attribute and its probability.

    Where several readers read the attribute and were pooled (the network
    and the glyph reader, with ``read_glyphs``), ``readers`` maps each
    reader's name to what it read alone. A reader that gave no reading,
    such as the glyph reader on a crop whose legend it did not find, maps
    to None. A reader that was not requested is left out, such as the
    glyph reader where the network reads no number. ``weight`` is a pooled
    reader's weight in the pooling (None for the pooled reading itself).
    """

    value: str
    probability: float
    readers: Mapping[str, AttributeReading | None] = field(default_factory=dict)
    weight: float | None = None

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict; ``readers`` only where there were several."""
        entry: dict = {"value": self.value, "probability": round(self.probability, 6)}
        if self.weight is not None:
            entry["weight"] = round(self.weight, 6)
        if self.readers:
            entry["readers"] = {name: reading.to_dict() if reading else None for name, reading in self.readers.items()}
        return entry


@dataclass(frozen=True)
class Classification:
    """The classification of one image.

    ``sign_id`` is ``"unknown"`` when no sign scores at least ``threshold``;
    ``best`` still names the closest sign then. ``rule`` is the matched
    rule's ``file:line``; ``evidence`` lists its predicates with their
    probabilities; ``attributes`` has what the network read. ``zoom`` is
    the share of the image's side that was classified: 1.0 for the whole
    image, less where no rule matched it and a centre crop matched
    (``ZOOM_STEPS``). ``precision`` is the network's precision.
    """

    source: str
    sign_id: str
    name: str
    score: float
    threshold: float
    best: SignScore | None
    rule: str | None
    evidence: tuple[Evidence, ...]
    attributes: Mapping[str, AttributeReading]
    runners_up: tuple[SignScore, ...]
    zoom: float = 1.0
    precision: str = "float32"

    @property
    def is_unknown(self) -> bool:
        return self.sign_id == UNKNOWN

    def to_dict(self) -> dict:
        """Return a JSON-serialisable dict of the result."""
        def sign_dict(sign: SignScore) -> dict:
            return {"sign_id": sign.sign_id, "name": sign.name, "score": round(sign.score, 6),
                    "rule": f"{sign.location.path}:{sign.location.line}"}

        return {
            "source": self.source,
            "sign_id": self.sign_id,
            "name": self.name,
            "score": round(self.score, 6),
            "unknown": self.is_unknown,
            "threshold": self.threshold,
            "best": sign_dict(self.best) if self.best else None,
            "rule": self.rule,
            "evidence": [
                {"predicate": e.predicate, "probability": round(e.probability, 6), "negated": e.negated,
                 "definition": e.definition, "rule": f"{e.location.path}:{e.location.line}"}
                for e in self.evidence
            ],
            "attributes": {name: reading.to_dict() for name, reading in self.attributes.items()},
            "runners_up": [sign_dict(s) for s in self.runners_up],
            "zoom": self.zoom,
            "precision": self.precision,
        }


class Classifier:
    """Classify cropped sign images with the attribute network and a rule set.

    Parameters
    ----------
    rules : path or RuleSet, optional
        Rule set folder (with ``ruleset.yaml``); the shipped German set by default.
    weights : path, optional
        Attribute-network weights file; the shipped weights by default.
    threshold : float, optional
        Score below which an image is "unknown"; the rule set's own by default.
    read_glyphs : bool
        Also read numbers one digit at a time with the glyph reader, pooled
        with the network's reading (``AttributePredictor``). Off by default:
        it reads unseen numbers better but costs 3-4 ms per image that
        shows a number (docs/benchmarks.md).
    glyph_weights : path, optional
        Glyph-reader weights (``signrules train-glyphs``); the shipped ones by
        default. Giving them turns ``read_glyphs`` on.
    glyph_pool_weight : float, optional
        Weight, from 0 to 1, of the glyph reader's reading where it is
        pooled with the network's (``GLYPH_WEIGHT`` by default). Giving it
        turns the glyph reader on, even with ``read_glyphs=False``. Raise
        it for rules over numbers the network never saw: at 0.7 a held-out
        network with its reader read the digits of 84 % of real 60s
        exactly instead of 59 %, and of 98.7 % of seen numbers instead of
        99.2 % (``benchmarks/glyph_pooling.py``).
    zoom : bool
        Classify the centre crops of ``ZOOM_STEPS`` in turn where no rule
        matches the whole image, for signs framed loosely. On by default.
    precision : {"auto", "float32", "bfloat16"}
        What the attribute network and the glyph reader compute in. "auto"
        (the default) uses bfloat16 where the CPU multiplies it natively,
        which is about twice as fast, and float32 elsewhere
        (``signrules.attributes.inference``).

    Raises
    ------
    ClassifierError
        For an invalid ``glyph_pool_weight`` or ``precision``.
    WeightsError, RuleSetError, ExemplarError
        When the weights, the rules or their exemplars cannot be loaded.
    """

    def __init__(
        self,
        rules: str | Path | RuleSet | None = None,
        *,
        weights: str | Path | None = None,
        threshold: float | None = None,
        schema: Schema | None = None,
        read_glyphs: bool = False,
        glyph_weights: str | Path | None = None,
        glyph_pool_weight: float | None = None,
        zoom: bool = True,
        precision: str = "auto",
    ) -> None:
        valid_weight = (isinstance(glyph_pool_weight, Real) and not isinstance(glyph_pool_weight, bool)
                        and 0.0 <= glyph_pool_weight <= 1.0)
        if glyph_pool_weight is not None and not valid_weight:
            raise ClassifierError(f"invalid glyph pool weight {glyph_pool_weight!r}: expected a number from 0 to 1")
        if precision not in PRECISIONS:
            raise ClassifierError(f"invalid precision {precision!r}: expected one of {', '.join(PRECISIONS)}")
        self.weights_path = Path(weights) if weights is not None else DEFAULT_WEIGHTS_PATH
        model, self.weights_metadata = load_attribute_net(self.weights_path, schema)
        self.schema = model.schema
        self.calibration = load_calibration(self.weights_path, self.weights_fingerprint)
        self.glyph_reader = None
        self.glyph_weights_path = Path(glyph_weights) if glyph_weights is not None else DEFAULT_GLYPH_WEIGHTS_PATH
        wants_glyphs = read_glyphs or glyph_weights is not None or glyph_pool_weight is not None
        if wants_glyphs and "digits" in self.schema.strings:
            self.glyph_reader = GlyphReader.load(self.glyph_weights_path, self.schema.strings["digits"], precision)
        self.predictor = AttributePredictor(
            model, self.calibration.temperatures, glyph_reader=self.glyph_reader,
            glyph_weight=GLYPH_WEIGHT if glyph_pool_weight is None else glyph_pool_weight, precision=precision)
        self.input_size = self.predictor.input_size
        self.threshold = threshold
        self.zoom_steps = ZOOM_STEPS if zoom else ()

        # Swapping the pair (rule set, bank) under a lock keeps a concurrent
        # classify call from seeing a new rule set with the old exemplars.
        self._lock = threading.Lock()
        self.ruleset, self.bank = self._load_rules(rules if rules is not None else DEFAULT_RULESET)

    @property
    def precision(self) -> str:
        """Precision of the network: "float32" or "bfloat16" ("auto" resolved for this CPU)."""
        return self.predictor.precision

    @property
    def weights_fingerprint(self) -> str:
        return self.weights_metadata["weights_fingerprint"]

    def weights_model(self):
        """Load the network again, unfused and without calibration, for fitting."""
        model, _ = load_attribute_net(self.weights_path, self.schema)
        return model

    # --- rules and exemplars -------------------------------------------------

    def _new_bank(self, use_descriptor: bool = True) -> ExemplarBank:
        return ExemplarBank(self.weights_fingerprint, self._embed_pair, self.input_size, self.calibration.similarity,
                            descriptor_calibration=self.calibration.descriptor_similarity,
                            stored_descriptor_calibration=self.calibration.stored_descriptor_similarity,
                            use_descriptor=use_descriptor)

    def exemplar_bank(self, *, use_descriptor: bool = True) -> ExemplarBank:
        """Load the current rule set's exemplars into a new bank, by default with descriptors.

        Calibration fits every map of the network, whichever way the rule
        set itself matches pictograms.
        """
        bank = self._new_bank(use_descriptor)
        bank.load_folder(self.ruleset.root / "exemplars", self.ruleset.pictogram_names)
        return bank

    def _load_rules(self, rules: str | Path | RuleSet) -> tuple[RuleSet, ExemplarBank]:
        ruleset = rules if isinstance(rules, RuleSet) else load_ruleset(rules, schema=self.schema)
        if ruleset.schema.fingerprint() != self.schema.fingerprint():
            raise ClassifierError(f"rule set {ruleset.root} was loaded for another attribute schema")
        bank = self._new_bank(ruleset.manifest.pictogram_match == "head+descriptor")
        bank.load_folder(ruleset.root / "exemplars", ruleset.pictogram_names)
        return ruleset, bank

    def reload_rules(self, rules: str | Path | RuleSet | None = None) -> RuleSet:
        """Load a rule set (by default the current one again) and switch to it.

        Loading is all or nothing: on any error the classifier keeps its
        current rule set and exemplars, and the error is raised.
        """
        ruleset, bank = self._load_rules(rules if rules is not None else self.ruleset.root)
        with self._lock:
            self.ruleset, self.bank = ruleset, bank
        log.info("switched to rule set %s (%d signs)", ruleset.root, len(ruleset.signs))
        return ruleset

    def add_exemplars(self, name: str, images: Sequence[ImageInput], *, save: bool = False) -> int:
        """Add exemplar images for pictogram ``name`` without retraining.

        The images take effect for the next ``classify`` call. With
        ``save=True`` image files are also copied into the rule set's
        ``exemplars/name/`` folder so that they persist. Returns the number
        of exemplars the set now has. Scores of other pictograms do not change.
        """
        if not images:
            raise ExemplarError(f'no images given for pictogram "{name}"')
        if save:
            paths = [Path(image) for image in images if isinstance(image, (str, Path))]
            if len(paths) != len(images):
                raise ExemplarError("save=True needs image files, not in-memory images")
            add_exemplar_images(self.ruleset.root / "exemplars" / name, paths)
        with self._lock:
            added = self.bank.add(name, images)
        return added.exemplars

    # --- classification -------------------------------------------------------

    def embed(self, images: np.ndarray) -> np.ndarray:
        """Return pictogram embeddings (N, D) of prepared uint8 images (N, S, S, 3)."""
        posteriors = self.predictor.predict(images, read_glyphs=False)
        return next(iter(posteriors.embeddings.values()))

    def _embed_pair(self, images: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
        return _pictogram_vectors(self.predictor.predict(images, read_glyphs=False))

    def prepare(self, images: Sequence[ImageInput]) -> np.ndarray:
        """Decode images and resize them to the network input (N, S, S, 3) uint8."""
        return prepare_batch([decode_image(image) for image in images], size=self.input_size)

    def posteriors(self, images: Sequence[ImageInput] | np.ndarray) -> Posteriors:
        """Return the attribute posteriors of images."""
        return self.predictor.predict(self._as_batch(images))

    def classify(self, image: ImageInput) -> Classification:
        """Classify one image (a path, PIL image or HxWx3 array)."""
        if isinstance(image, (list, tuple)):
            raise ClassifierError("classify takes one image; use classify_batch for several")
        return self.classify_batch([image])[0]

    def classify_batch(
        self,
        images: Sequence[ImageInput] | np.ndarray,
        *,
        top_k: int = 3,
        sources: Sequence[str] | None = None,
    ) -> list[Classification]:
        """Classify a batch of images; return one Classification per image, in order.

        ``images`` is a sequence of paths, PIL images or arrays, or an array
        (N, H, W, 3). ``top_k`` sets how many runner-up signs each result lists.
        """
        batch = self._as_batch(images)
        if sources is None:
            sources = [_describe(image, i) for i, image in enumerate(images)]
        return self.classify_prepared(batch, sources=sources, top_k=top_k)[0]

    def classify_prepared(
        self, batch: np.ndarray, *, sources: Sequence[str], top_k: int = 3
    ) -> tuple[list[Classification], Posteriors]:
        """Classify images already at the network input size; also return their posteriors."""
        if len(sources) != len(batch):
            raise ClassifierError(f"got {len(sources)} sources for {len(batch)} images")
        with self._lock:
            ruleset, bank = self.ruleset, self.bank

        posteriors = self.predictor.predict(batch)
        decisions = self._decide(ruleset, bank, posteriors, top_k)

        # A sign framed more loosely than training framed its signs matches
        # no rule, so the centre of each unknown image is tried, larger
        # crops first. A crop's decision is kept only where it is not unknown.
        zooms = np.ones(len(batch))
        for fraction in self.zoom_steps:
            rows = np.flatnonzero([decision.is_unknown for decision in decisions])
            if not len(rows):
                break
            zoomed = self.predictor.predict(centre_zoom(batch[rows], fraction))
            zoomed_decisions = self._decide(ruleset, bank, zoomed, top_k)
            matched = [i for i, decision in enumerate(zoomed_decisions) if not decision.is_unknown]
            if not matched:
                continue
            for i in matched:
                decisions[rows[i]] = zoomed_decisions[i]
                zooms[rows[i]] = fraction
            posteriors = _replace_rows(posteriors, rows[matched], zoomed.select(matched))

        readings = _attribute_readings(posteriors)
        results = [
            _classification(source, decision, reading, float(zoom), self.predictor.precision)
            for source, decision, reading, zoom in zip(sources, decisions, readings, zooms, strict=True)
        ]
        return results, posteriors

    def _decide(self, ruleset: RuleSet, bank: ExemplarBank, posteriors: Posteriors, top_k: int) -> list[Decision]:
        """Score every rule on ``posteriors`` and return each image's decision."""
        embeddings, descriptors = _pictogram_vectors(posteriors)
        pictograms = (bank.probabilities(embeddings, ruleset.pictogram_names, descriptors)
                      if ruleset.pictogram_names else {})
        return list(ruleset.classify(posteriors, pictograms, threshold=self.threshold, runners_up=top_k))

    def _as_batch(self, images: Sequence[ImageInput] | np.ndarray) -> np.ndarray:
        if isinstance(images, np.ndarray) and images.ndim == 4:
            images = list(images)
        if isinstance(images, (str, Path, Image.Image, np.ndarray)):
            raise ClassifierError("expected a sequence of images; use classify for one image")
        if len(images) == 0:
            return np.zeros((0, self.input_size, self.input_size, 3), dtype=np.uint8)
        return self.prepare(images)


def _pictogram_vectors(posteriors: Posteriors) -> tuple[np.ndarray, np.ndarray | None]:
    """Return the pictogram embeddings and descriptors (None without a descriptor) of posteriors."""
    name = next(iter(posteriors.embeddings))
    return posteriors.embeddings[name], posteriors.descriptors.get(name)


def _describe(image: ImageInput, index: int) -> str:
    if isinstance(image, (str, Path)):
        return str(image)
    return f"<{type(image).__name__} {index}>"


def _attribute_readings(posteriors: Posteriors) -> list[dict[str, AttributeReading]]:
    readings: list[dict[str, AttributeReading]] = [{} for _ in range(len(posteriors))]
    for name, attribute in posteriors.schema.categorical.items():
        probabilities = posteriors.categorical[name]
        best = probabilities.argmax(axis=1)
        for row, index in enumerate(best):
            readings[row][name] = AttributeReading(attribute.values[index], float(probabilities[row, index]))
    for name, sequence in posteriors.strings.items():
        strings, probabilities = sequence.decode_with_prob()
        per_reader = {reader: (output.requested, output.read, output.weight, *output.sequence.decode_with_prob())
                      for reader, output in posteriors.readers.get(name, {}).items()}
        for row, string in enumerate(strings):
            # Weights are shown only where the readings were pooled, that is
            # where every reader was asked and gave one.
            pooled = len(per_reader) > 1 and all(requested[row] and read[row]
                                                 for requested, read, *_ in per_reader.values())
            readers = {reader: AttributeReading(values[row] or "none", float(probs[row]),
                                                weight=weight if pooled else None)
                       if read[row] else None
                       for reader, (requested, read, weight, values, probs) in per_reader.items() if requested[row]}
            readings[row][name] = AttributeReading(string or "none", float(probabilities[row]), readers)
    return readings


def _replace_rows(posteriors: Posteriors, rows: np.ndarray, replacement: Posteriors) -> Posteriors:
    """Return ``posteriors`` with the images at ``rows`` replaced by those of ``replacement``, in order."""
    order = np.arange(len(posteriors))
    order[rows] = len(posteriors) + np.arange(len(rows))
    return Posteriors.concatenate([posteriors, replacement]).select(order)


def _classification(source: str, decision: Decision, readings: dict[str, AttributeReading],
                    zoom: float = 1.0, precision: str = "float32") -> Classification:
    best = decision.best
    unknown = decision.is_unknown
    return Classification(
        source=source,
        sign_id=decision.label,
        name="Unknown sign" if unknown or best is None else best.name,
        score=decision.score,
        threshold=decision.threshold,
        best=best,
        rule=f"{best.location.path}:{best.location.line}" if best else None,
        evidence=decision.evidence,
        attributes=readings,
        runners_up=decision.runners_up,
        zoom=zoom,
        precision=precision,
    )
