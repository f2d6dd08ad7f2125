"""Perception side of signrules: the attribute schema, image decoding, GTSRB
loading, synthetic signs, the attribute network and its training.

This package never imports ``signrules.engine``.
"""
