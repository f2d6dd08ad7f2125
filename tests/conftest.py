"""Fixtures shared by the whole suite."""

import os
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[1]

#: The real GTSRB training set, read in place (never copied into the repository).
#: SIGNRULES_GTSRB overrides the default location beside the checkout.
GTSRB_TRAINING = Path(
    os.environ.get("SIGNRULES_GTSRB", REPOSITORY.parent / "shared" / "data" / "gtsrb" / "Final_Training")
)


@pytest.fixture(scope="session")
def gtsrb_training() -> Path:
    if not (GTSRB_TRAINING / "Images").is_dir():
        pytest.skip(f"GTSRB training set not found at {GTSRB_TRAINING}; set SIGNRULES_GTSRB")
    return GTSRB_TRAINING


@pytest.fixture(scope="session", autouse=True)
def session_cache(tmp_path_factory):
    """Point the signrules cache (decoded GTSRB, rendered signs) at one folder per test session.

    Tests then never read a stale cache from the user's home, and the
    session decodes GTSRB only once.
    """
    folder = tmp_path_factory.mktemp("signrules-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SIGNRULES_CACHE", str(folder))
        yield folder


@pytest.fixture(scope="session")
def without_descriptor():
    """Return a maker of the shipped network as training left it, before its descriptor was fitted."""
    from dataclasses import replace

    from signrules.attributes.network import AttributeNet
    from signrules.attributes.weights import load_attribute_net

    def make() -> AttributeNet:
        shipped, _ = load_attribute_net()
        model = AttributeNet(shipped.schema, replace(shipped.config, pictogram_descriptor=False))
        model.load_state_dict({k: v for k, v in shipped.state_dict().items() if not k.startswith("descriptors.")})
        return model.eval()

    return make
