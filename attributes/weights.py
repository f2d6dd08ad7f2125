"""Saving and loading attribute-network weights with their metadata.

A weights file is a ``torch.save`` archive of plain types and tensors only, so
it loads with ``weights_only=True`` (no pickled code runs on load). Besides
the parameters it records the schema it was trained for, the architecture,
the command that made it and its validation figures.
"""

from __future__ import annotations

import hashlib
import io
import logging
import pickle
from pathlib import Path

import torch
from signrules.attributes.errors import WeightsError
from signrules.attributes.network import AttributeNet, NetConfig
from signrules.attributes.schema import Schema, default_schema

__all__ = [
    "DEFAULT_WEIGHTS_PATH",
    "load_attribute_net",
    "load_plain_classifier",
    "read_archive",
    "save_attribute_net",
    "weights_fingerprint",
]

log = logging.getLogger(__name__)

DEFAULT_WEIGHTS_PATH = Path(__file__).with_name("weights") / "attributes.pt"

_FORMAT = "signrules-attribute-net"
_FORMAT_VERSION = 1


def save_attribute_net(path: str | Path, model: AttributeNet, metadata: dict) -> str:
    """Write ``model`` and ``metadata`` to ``path`` atomically; return the weights fingerprint.

    Parameters are stored as float16 to keep the shipped file small; the
    network computes in float32 after loading.
    """
    path = Path(path)
    state = {
        key: value.half() if value.is_floating_point() else value
        for key, value in model.state_dict().items()
    }
    archive = {
        "format": _FORMAT,
        "format_version": _FORMAT_VERSION,
        "schema_fingerprint": model.schema.fingerprint(),
        "config": model.config.to_dict(),
        "metadata": metadata,
        "state_dict": state,
    }
    buffer = io.BytesIO()
    torch.save(archive, buffer)
    data = buffer.getvalue()

    # Write to a temporary file first so that an interrupted save never
    # leaves a truncated weights file where a working one was.
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(path.suffix + ".partial")
    partial.write_bytes(data)
    partial.replace(path)
    return weights_fingerprint(state)


def weights_fingerprint(state_dict: dict[str, torch.Tensor]) -> str:
    """Return a short hash of the parameters; exemplar banks are keyed by it."""
    digest = hashlib.sha256()
    for key in sorted(state_dict):
        digest.update(key.encode())
        digest.update(state_dict[key].detach().cpu().contiguous().numpy().tobytes())
    return digest.hexdigest()[:16]


# First bytes of a zip archive, the format of torch.save since torch 1.6.
_ZIP_MAGIC = b"PK\x03\x04"


def read_archive(path: Path, kind: str) -> object:
    """Load a ``torch.save`` archive of tensors and plain values; raise WeightsError naming the file.

    ``kind`` names the expected file in messages ("weights file"). The
    message never passes on torch's advice to load with
    ``weights_only=False``, which would run code from an unknown file.
    """
    # torch.save writes a zip archive. Anything else is rejected by its
    # first bytes, because torch's own errors for such files are bare
    # numbers or exception names.
    try:
        with open(path, "rb") as stream:
            head = stream.read(4)
    except FileNotFoundError:
        raise WeightsError(f"{path}: {kind} not found") from None
    except IsADirectoryError:
        raise WeightsError(f"{path}: is a folder, not a {kind}") from None
    except OSError as exc:
        raise WeightsError(f"{path}: cannot read {kind}: {exc.strerror or exc}") from None
    if not head:
        raise WeightsError(f"{path}: {kind} is empty")
    if head != _ZIP_MAGIC:
        raise WeightsError(f"{path}: not a {kind}: expected a torch archive (a zip file) as "
                           "`signrules train` or `signrules train-glyphs` writes")

    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise WeightsError(f"{path}: cannot read {kind}: not an archive of tensors and plain values") from None
    except Exception as exc:  # torch raises many unrelated types for corrupt files
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise WeightsError(f"{path}: cannot read {kind}: {first_line}") from None


def load_attribute_net(
    path: str | Path | None = None, schema: Schema | None = None
) -> tuple[AttributeNet, dict]:
    """Load an AttributeNet in eval mode and return it with the file's metadata.

    The returned metadata has the stored keys plus ``weights_fingerprint``
    and ``path``. Raises WeightsError when the file is missing, corrupt, of
    another format, or trained for a different schema.
    """
    path = Path(path) if path is not None else DEFAULT_WEIGHTS_PATH
    schema = schema or default_schema()
    archive = read_archive(path, "weights file")

    if not isinstance(archive, dict) or archive.get("format") != _FORMAT:
        raise WeightsError(f"{path}: not a signrules attribute-network weights file")
    if archive.get("format_version") != _FORMAT_VERSION:
        raise WeightsError(
            f"{path}: weights format version {archive.get('format_version')} is not "
            f"supported (expected {_FORMAT_VERSION})"
        )
    if archive["schema_fingerprint"] != schema.fingerprint():
        raise WeightsError(
            f"{path}: weights were trained for another attribute schema "
            f"({archive['schema_fingerprint']}, current {schema.fingerprint()}); "
            "retrain with `signrules train` or pass the matching schema"
        )

    model = AttributeNet(schema, NetConfig.from_dict(archive["config"]))
    state = {key: value.float() if value.is_floating_point() else value
             for key, value in archive["state_dict"].items()}
    try:
        model.load_state_dict(state)
    except RuntimeError as exc:
        raise WeightsError(f"{path}: weights do not fit the network: {exc}") from None
    model.eval()

    metadata = dict(archive.get("metadata", {}))
    metadata["weights_fingerprint"] = weights_fingerprint(archive["state_dict"])
    metadata["path"] = str(path)
    log.debug("loaded attribute network %s (%s)", path, metadata["weights_fingerprint"])
    return model, metadata


def load_plain_classifier(path: str | Path):
    """Load the plain softmax baseline written by ``signrules train --model plain --export``."""
    from signrules.attributes.network import PlainClassifier

    path = Path(path)
    archive = read_archive(path, "weights file")
    try:
        model = PlainClassifier(archive["state_dict"]["classifier.weight"].shape[0],
                                NetConfig.from_dict(archive["config"]))
        model.load_state_dict(archive["state_dict"])
    except Exception as exc:  # a dict of another shape fails in many ways
        raise WeightsError(f"{path}: not a plain-classifier weights file: {exc}") from None
    return model.eval()
