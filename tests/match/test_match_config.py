import pytest

from kadry.errors import ConfigError
from kadry.match.config import MatchConfig, load_config


def test_defaults_without_a_file():
    assert load_config(None) == MatchConfig()


def test_toml_overrides(tmp_path):
    f = tmp_path / "m.toml"
    f.write_text("[weights]\ntitle = 0.9\n[hard]\nmax_experience_gap = 2\n")
    cfg = load_config(f)
    assert cfg.weights.title == 0.9 and cfg.weights.skills == MatchConfig().weights.skills
    assert cfg.hard.max_experience_gap == 2


@pytest.mark.parametrize(
    "text, needle",
    [
        ("[weights\n", "not valid TOML"),
        ("[weights]\ntitle = -1\n", "weights.title"),
        ("[weights]\nage = 1\n", "weights.age"),  # no such part: age is never an input
    ],
)
def test_bad_files_are_one_line_config_errors(tmp_path, text, needle):
    f = tmp_path / "m.toml"
    f.write_text(text)
    with pytest.raises(ConfigError) as err:
        load_config(f)
    assert needle in str(err.value) and "\n" not in str(err.value)


def test_missing_file(tmp_path):
    with pytest.raises(ConfigError, match="does not exist"):
        load_config(tmp_path / "nope.toml")
