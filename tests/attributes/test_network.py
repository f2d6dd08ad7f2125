"""Attribute network: head shapes, masked losses, weights files, fused inference."""

import numpy as np
import pytest
import torch
from signrules.attributes.errors import SchemaError, WeightsError
from signrules.attributes.inference import AttributePredictor, fuse_batch_norm
from signrules.attributes.labels import IGNORE, encode_labels
from signrules.attributes.losses import AttributeLoss, CosineSoftmaxLoss
from signrules.attributes.network import AttributeNet, ColumnReader, NetConfig, PlainClassifier
from signrules.attributes.schema import Schema, default_schema
from signrules.attributes.weights import load_attribute_net, save_attribute_net


@pytest.fixture(autouse=True)
def seed():
    torch.manual_seed(0)


@pytest.fixture
def schema():
    return default_schema()


@pytest.fixture
def model(schema):
    return AttributeNet(schema).eval()


class TestCategoricalHeads:
    def test_forward_shape(self, model, schema):
        outputs = model(torch.rand(5, 3, 32, 32))

        for name, attribute in schema.categorical.items():
            assert outputs[name].shape == (5, len(attribute.values))

    def test_loss_masking(self, model, schema):
        # An unknown label must contribute nothing: changing the logits of a
        # masked image leaves the loss unchanged.
        criterion = AttributeLoss(schema, num_pictogram_classes=3, embedding_dim=64)
        records = [{"shape": "circle"}, {"shape": None}]
        labels = {k: torch.from_numpy(v) for k, v in encode_labels(records, schema).items()}
        outputs = model(torch.rand(2, 3, 32, 32))

        _, terms = criterion(outputs, labels)
        outputs["shape"] = outputs["shape"].clone()
        outputs["shape"][1] += 100.0
        _, terms_changed = criterion(outputs, labels)

        assert terms["shape"] == pytest.approx(terms_changed["shape"])
        assert terms["fill"] == 0.0

    def test_new_attribute_needs_only_schema(self):
        # Adding a categorical attribute is a schema entry: the network grows a head.
        data = {
            "categorical": {"shape": {"values": ["circle", "triangle"]}, "finish": {"values": ["matte", "glossy"]}},
            "strings": {"digits": {"alphabet": "0123456789", "max_length": 3}},
            "embedding": {"pictogram": {"dim": 8}},
        }
        schema = Schema.from_dict(data)
        outputs = AttributeNet(schema).eval()(torch.rand(2, 3, 32, 32))

        assert outputs["finish"].shape == (2, 2)

    def test_colour_flag_read_and_checked(self):
        data = {"categorical": {"tint": {"values": ["red", "blue"], "colour": True},
                                "shape": {"values": ["circle", "triangle"]}}}
        schema = Schema.from_dict(data)

        assert schema.categorical["tint"].colour
        assert not schema.categorical["shape"].colour

        data["categorical"]["tint"]["colour"] = "yes"
        with pytest.raises(SchemaError, match='"tint" has colour: "yes"; expected true or false'):
            Schema.from_dict(data, source="schema.yaml")

    @pytest.mark.parametrize(("section", "entry", "message"), [
        ("categorical", {"values": ["red"], "color": True}, 'categorical attribute "x" has unknown key.s. color'),
        ("strings", {"alphabet": "01", "max_length": 2, "colour": True}, 'string attribute "x" has unknown key.s. colour'),
        ("embedding", {"dim": 8, "size": 8}, 'embedding "x" has unknown key.s. size'),
    ])
    def test_unknown_keys_rejected(self, section, entry, message):
        # A misspelt key would otherwise be ignored without a word.
        with pytest.raises(SchemaError, match=message):
            Schema.from_dict({section: {"x": entry}}, source="schema.yaml")


class TestStringHeads:
    def test_forward_shape(self, model, schema):
        outputs = model(torch.rand(4, 3, 32, 32))

        for name, attribute in schema.strings.items():
            assert outputs[name].shape == (4, attribute.max_length, attribute.num_symbols)

    def test_loss_masking(self, model, schema):
        criterion = AttributeLoss(schema, num_pictogram_classes=3, embedding_dim=64)
        labels = {k: torch.from_numpy(v) for k, v in encode_labels([{"digits": "60"}, {}], schema).items()}
        outputs = model(torch.rand(2, 3, 32, 32))

        _, terms = criterion(outputs, labels)
        outputs["digits"] = outputs["digits"].clone()
        outputs["digits"][1] -= 50.0
        _, terms_changed = criterion(outputs, labels)

        assert labels["digits"][1].tolist() == [IGNORE] * 3
        assert terms["digits"] == pytest.approx(terms_changed["digits"])


class TestEmbeddingHead:
    def test_forward_unit_norm(self, model):
        embeddings = model(torch.rand(6, 3, 32, 32))["pictogram"]

        assert embeddings.shape == (6, 64)
        assert torch.allclose(embeddings.norm(dim=1), torch.ones(6), atol=1e-5)

    def test_loss_masking(self):
        criterion = CosineSoftmaxLoss(num_classes=4, dim=8)
        embeddings = torch.nn.functional.normalize(torch.randn(3, 8), dim=1)

        all_masked = criterion(embeddings, torch.tensor([IGNORE, IGNORE, IGNORE]))
        one_known = criterion(embeddings, torch.tensor([2, IGNORE, IGNORE]))

        assert float(all_masked.detach()) == 0.0
        assert float(one_known.detach()) > 0.0

    def test_too_few_classes_error(self):
        with pytest.raises(ValueError, match="at least 2 pictogram classes, got 1"):
            CosineSoftmaxLoss(num_classes=1, dim=8)


def test_plain_classifier_shape():
    logits = PlainClassifier(43).eval()(torch.rand(2, 3, 32, 32))

    assert logits.shape == (2, 43)


def test_input_size_error():
    with pytest.raises(ValueError, match="multiple of 8, got 30"):
        AttributeNet(default_schema(), NetConfig(input_size=30))


def test_fused_network_matches(model):
    images = torch.rand(8, 3, 32, 32)
    with torch.inference_mode():
        expected = model(images)
        actual = fuse_batch_norm(model)(images)

    for name in expected:
        assert torch.allclose(expected[name], actual[name], atol=1e-4), name


@pytest.mark.parametrize("column_reader", [False, True])
def test_string_reader_forward_and_fusion(schema, column_reader):
    model = AttributeNet(schema, NetConfig(string_reader=True, column_reader=column_reader))
    # Random batch-norm statistics, so that folding them is really checked.
    with torch.no_grad():
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
    model.eval()
    images = torch.rand(8, 3, 32, 32)
    with torch.inference_mode():
        expected = model(images)
        actual = fuse_batch_norm(model)(images)

    assert model.string_reader is not None
    assert expected["digits"].shape == (8, schema.strings["digits"].max_length, schema.strings["digits"].num_symbols)
    for name in expected:
        assert torch.allclose(expected[name], actual[name], atol=1e-4), name


@pytest.mark.parametrize("column_reader", [False, True])
def test_string_reader_round_trip(schema, tmp_path, column_reader):
    model = AttributeNet(schema, NetConfig(string_reader=True, column_reader=column_reader)).eval()
    path = tmp_path / "reader.pt"
    save_attribute_net(path, model, {})

    loaded, _ = load_attribute_net(path)
    images = torch.rand(3, 3, 32, 32)
    with torch.inference_mode():
        expected = model(images)["digits"]
        actual = loaded(images)["digits"]

    assert loaded.config.string_reader
    assert loaded.config.column_reader is column_reader
    assert torch.allclose(expected, actual, atol=5e-2)


def test_config_without_reader_key_loads():
    # Weights saved before the string reader existed have no such key.
    data = NetConfig().to_dict()
    del data["string_reader"]

    assert NetConfig.from_dict(data).string_reader is False


def test_config_without_column_reader_key_loads():
    data = NetConfig(string_reader=True).to_dict()
    del data["column_reader"]

    config = NetConfig.from_dict(data)

    assert config.string_reader and not config.column_reader


def test_column_reader_needs_string_branch(schema):
    with pytest.raises(ValueError, match="needs string_reader"):
        AttributeNet(schema, NetConfig(string_reader=False, column_reader=True))


def _column_strings(strings, glyphs, blank, width, rng):
    """Columns (N, C, 1, width) showing each string centred, one glyph vector per column, with noise."""
    columns = np.tile(blank[:, None], (len(strings), 1, width))
    for row, string in enumerate(strings):
        start = (width - len(string)) // 2 + int(rng.integers(-1, 2))
        for offset, symbol in enumerate(string):
            columns[row, :, start + offset] = glyphs[symbol]
    columns += rng.normal(0.0, 0.1, columns.shape)
    return torch.tensor(columns[:, :, None, :], dtype=torch.float32)


def test_column_reader_unseen_position():
    # Symbol 3 appears only last in training strings. A classifier shared
    # by all positions must still read it first, which a per-position
    # classifier cannot do. A network that saw printed zeros only last
    # needs this to read the middle zero of a printed "100".
    torch.manual_seed(0)
    rng = np.random.default_rng(0)
    channels, width, max_length, end = 16, 8, 3, 4
    glyphs = rng.normal(0.0, 1.0, (4, channels)).clip(0)
    blank = np.zeros(channels)
    reader = ColumnReader(channels, width, max_length, num_symbols=5)

    def sample(count, first_symbols):
        strings = []
        for _ in range(count):
            length = int(rng.integers(1, max_length + 1))
            string = [int(rng.choice(first_symbols)) for _ in range(length)]
            if length > 1 and rng.random() < 0.3:
                string[-1] = 3
            strings.append(string)
        return strings

    def targets(strings):
        codes = np.full((len(strings), max_length), end)
        for row, string in enumerate(strings):
            codes[row, : len(string)] = string
        return torch.tensor(codes)

    optimiser = torch.optim.Adam(reader.parameters(), lr=1e-2)
    for _ in range(300):
        strings = sample(64, [0, 1, 2])
        logits = reader(_column_strings(strings, glyphs, blank, width, rng))
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, 5), targets(strings).reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()

    reader.eval()
    test = [[3] + s[1:] for s in sample(400, [0, 1, 2]) if len(s) > 1]
    with torch.inference_mode():
        read = reader(_column_strings(test, glyphs, blank, width, rng)).argmax(dim=2)

    first_read = (read[:, 0] == 3).float().mean().item()
    exact = (read == targets(test)).all(dim=1).float().mean().item()
    # Measured: 0.89 and 0.73 here, against 0.0 for one classifier per position.
    assert first_read > 0.7
    assert exact > 0.6


def test_predictor_alone_and_in_batch(model):
    # The same image gives the same posteriors alone and inside a batch.
    images = np.random.default_rng(0).integers(0, 256, (70, 32, 32, 3), dtype=np.uint8)
    predictor = AttributePredictor(model)

    batch = predictor.predict(images)
    alone = predictor.predict(images[66:67])

    for name in batch.categorical:
        np.testing.assert_allclose(batch.categorical[name][66], alone.categorical[name][0], atol=1e-5)
    np.testing.assert_allclose(batch.embeddings["pictogram"][66], alone.embeddings["pictogram"][0], atol=1e-5)


def test_weights_round_trip(model, tmp_path):
    path = tmp_path / "weights.pt"
    fingerprint = save_attribute_net(path, model, {"validation": {"shape": 0.5}})

    loaded, metadata = load_attribute_net(path)
    images = torch.rand(3, 3, 32, 32)
    with torch.inference_mode():
        expected = model(images)["shape"]
        actual = loaded(images)["shape"]

    assert metadata["weights_fingerprint"] == fingerprint
    assert metadata["validation"] == {"shape": 0.5}
    # Parameters are stored as float16, so outputs agree to about 1e-2.
    assert torch.allclose(expected, actual, atol=5e-2)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "weights file not found"),
        (b"", "weights file is empty"),
        (b"not a torch archive", "not a weights file: expected a torch archive"),
        (b"PK\x03\x04 truncated", "cannot read weights"),
    ],
)
def test_weights_load_errors(tmp_path, content, message):
    path = tmp_path / "weights.pt"
    if content is not None:
        path.write_bytes(content)

    with pytest.raises(WeightsError, match=message) as info:
        load_attribute_net(path)

    assert str(path) in str(info.value)


def test_weights_other_schema_rejected(model, tmp_path):
    path = tmp_path / "weights.pt"
    save_attribute_net(path, model, {})
    other = Schema.from_dict({"categorical": {"shape": {"values": ["circle", "square"]}}})

    with pytest.raises(WeightsError, match="another attribute schema"):
        load_attribute_net(path, schema=other)
