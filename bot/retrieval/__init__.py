"""Indexing and searching knowledge: embeddings, the Chroma vector store with metadata filters,
keyword search and their fusion.

Services use only the plain types and protocols in `bot.retrieval.types`; `container.py` picks
the implementations. Import from the module that defines a name, so importing the types never
loads Chroma, LangChain or the embedding model.
"""
