"""Embedders: the offline WordLlama model (default) and any OpenAI-compatible server.

Both return unit-length float vectors, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import importlib.util
import logging
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.errors import ConfigError, LLMError, LLMRateLimited, LLMTimeout
from bot.retrieval.types import Embedder

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from numpy.typing import NDArray

log = logging.getLogger(__name__)

# The one WordLlama model whose weights and tokenizer ship inside the wheel.
_WORDLLAMA_CONFIG = "l2_supercat"
_WORDLLAMA_DIM = 256
# WordLlama vectors are Matryoshka-trained: a prefix of the vector is a smaller embedding.
_WORDLLAMA_DIMS = (64, 128, 256)

_LOCAL_HELP = (
    "APO_EMBEDDINGS=local needs the wordllama package with its bundled model "
    "(pip install 'wordllama>=0.4,<0.5'), or set APO_EMBEDDINGS=openai:<model> to use an "
    "OpenAI-compatible embeddings server."
)
_SPEC_HELP = (
    "Use APO_EMBEDDINGS=local (the offline WordLlama model) or APO_EMBEDDINGS=openai:<model> "
    "(for example openai:text-embedding-3-small, served at OPENAI_BASE_URL)."
)

_wordllama_model: Any = None
_wordllama_lock = threading.Lock()


def _load_wordllama() -> Any:
    """The WordLlama model, loaded on first use and then shared by the whole process."""
    global _wordllama_model
    if _wordllama_model is None:
        with _wordllama_lock:
            if _wordllama_model is None:
                _wordllama_model = _load_wordllama_from_package()
    return _wordllama_model


def _load_wordllama_from_package() -> Any:
    spec = importlib.util.find_spec("wordllama")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError(_LOCAL_HELP, detail="the wordllama package is not installed")
    package_dir = Path(next(iter(spec.submodule_search_locations)))

    # wordllama.inference calls logging.basicConfig(level=INFO) when imported, which would switch
    # on INFO logging for every library in a process that has not configured logging yet.
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    try:
        from wordllama import WordLlama

        # Pointing cache_dir at the package makes WordLlama find the shipped tokenizer (its
        # default lookup misses it); disable_download turns any other miss into an error.
        return WordLlama.load(
            config=_WORDLLAMA_CONFIG,
            dim=_WORDLLAMA_DIM,
            cache_dir=package_dir,
            disable_download=True,
        )
    except Exception as exc:
        raise ConfigError(
            _LOCAL_HELP, detail=f"WordLlama failed to load from {package_dir}: {exc!r}"
        ) from exc
    finally:
        for handler in root.handlers[:]:
            if handler not in handlers:
                root.removeHandler(handler)
        root.setLevel(level)


def _unit_rows(matrix: NDArray[Any]) -> list[list[float]]:
    rows = np.asarray(matrix, dtype=np.float64)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    norms[norms == 0.0] = 1.0  # an empty text embeds to zeros; keep it zero, not NaN
    result: list[list[float]] = (rows / norms).tolist()
    return result


class WordLlamaEmbedder:
    """Local, offline embeddings from the WordLlama model shipped in the ``wordllama`` wheel."""

    def __init__(self, dimensions: int = _WORDLLAMA_DIM) -> None:
        if dimensions not in _WORDLLAMA_DIMS:
            raise ValueError(f"WordLlama dimensions must be one of {_WORDLLAMA_DIMS}")
        self._dimensions = dimensions

    @property
    def name(self) -> str:
        return f"wordllama:{_WORDLLAMA_CONFIG}-{self._dimensions}"

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def load(self) -> None:
        """Load the model now rather than on the first embedding (raises ConfigError)."""
        _load_wordllama()

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        model = _load_wordllama()
        # WordLlama pads each batch to its longest text; embedding in length order keeps one
        # long document from inflating a whole batch of short ones.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        raw = model.embed([texts[i] for i in order], norm=False, return_np=True, batch_size=64)
        vectors = _unit_rows(raw[:, : self._dimensions])
        result: list[list[float]] = [[] for _ in texts]
        for position, index in enumerate(order):
            result[index] = vectors[position]
        return result

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


class OpenAIEmbedder:
    """Embeddings from an OpenAI-compatible ``/v1/embeddings`` endpoint."""

    def __init__(
        self,
        model: str,
        api_key: str,
        base_url: str | None = None,
        timeout: float = 30.0,
        *,
        max_retries: int = 2,
    ) -> None:
        from langchain_openai import OpenAIEmbeddings
        from pydantic import SecretStr

        self._model = model
        self._dimensions: int | None = None
        # check_embedding_ctx_length=False sends the raw strings. Left on, LangChain tokenizes
        # with tiktoken first, which downloads its encoding files and sends token ids that
        # non-OpenAI servers (Ollama, vLLM, LM Studio) do not accept. The openai SDK asks for
        # base64 unless told otherwise, which some compatible servers don't support.
        self._client = OpenAIEmbeddings(
            model=model,
            openai_api_key=SecretStr(api_key),
            openai_api_base=base_url,
            request_timeout=timeout,
            max_retries=max_retries,
            check_embedding_ctx_length=False,
            model_kwargs={"encoding_format": "float"},
        )

    @property
    def name(self) -> str:
        return f"openai:{self._model}"

    @property
    def dimensions(self) -> int:
        if self._dimensions is None:
            self.embed_query("dimensions")
        assert self._dimensions is not None
        return self._dimensions

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._call(texts)
        if len(vectors) != len(texts) or not all(vectors):
            raise LLMError(
                "The embeddings server gave an unusable answer.",
                detail=f"asked for {len(texts)} embeddings of {self._model}, got {len(vectors)}",
            )
        sizes = {len(v) for v in vectors}
        if len(sizes) != 1:
            raise LLMError(
                "The embeddings server gave an unusable answer.",
                detail=f"{self._model} returned vectors of different lengths: {sorted(sizes)}",
            )
        self._dimensions = sizes.pop()
        return _unit_rows(np.array(vectors, dtype=np.float64))

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]

    def _call(self, texts: list[str]) -> list[list[float]]:
        import openai

        try:
            return self._client.embed_documents(texts)
        except (openai.AuthenticationError, openai.PermissionDeniedError) as exc:
            raise ConfigError(
                "The embeddings server rejected OPENAI_API_KEY. Check the key, or OPENAI_BASE_URL.",
                detail=repr(exc),
            ) from exc
        except openai.NotFoundError as exc:
            raise ConfigError(
                f"The embeddings server does not know the model '{self._model}'. "
                "Check APO_EMBEDDINGS=openai:<model> and OPENAI_BASE_URL.",
                detail=repr(exc),
            ) from exc
        except openai.APITimeoutError as exc:
            raise LLMTimeout("The embeddings server did not answer in time.") from exc
        except openai.RateLimitError as exc:
            raise LLMRateLimited("The embeddings server is rate-limiting us.") from exc
        except openai.APIError as exc:
            raise LLMError("Could not get embeddings from the server.", detail=repr(exc)) from exc


def make_embedder(
    spec: str,
    *,
    api_key: str | None,
    base_url: str | None,
    timeout: float = 30,
) -> Embedder:
    """Build the embedder named by ``APO_EMBEDDINGS``: ``local`` or ``openai:<model>``."""
    text = spec.strip()
    if text.lower() == "local":
        return WordLlamaEmbedder()
    kind, colon, model = text.partition(":")
    if kind.strip().lower() == "openai" and colon and model.strip():
        if not api_key:
            raise ConfigError(
                f"APO_EMBEDDINGS={text} needs OPENAI_API_KEY (any non-empty value for servers "
                "that don't check keys), or use APO_EMBEDDINGS=local."
            )
        return OpenAIEmbedder(model.strip(), api_key, base_url, timeout)
    raise ConfigError(f"APO_EMBEDDINGS={spec!r} is not understood. {_SPEC_HELP}")


def as_langchain_embeddings(embedder: Embedder) -> Embeddings:
    """Wrap an embedder for LangChain components that want ``Embeddings``."""
    # Imported here: LangChain takes a tenth of a second to load, and embedding needs none of it.
    from langchain_core.embeddings import Embeddings

    class LangChainEmbeddings(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return embedder.embed_documents(list(texts))

        def embed_query(self, text: str) -> list[float]:
            return embedder.embed_query(text)

    return LangChainEmbeddings()
