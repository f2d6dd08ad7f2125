"""Where exemplars live on disk, shared by the exemplar bank and the linter.

An exemplar set NAME of a rule set is the folder ``<rule set>/exemplars/NAME/``
holding image files and/or one file of precomputed embeddings.
"""

#: File name suffixes read as exemplar images, compared in lower case.
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".ppm", ".bmp", ".webp")

#: Name of the file that contains precomputed exemplar embeddings.
EMBEDDINGS_FILE = "embeddings.npz"
