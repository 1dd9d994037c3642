"""The API as data: collections, operations, parameters, features and their validation.

Routes, validation, ``OPTIONS``, the docs, OpenAPI and the HTML forms are all derived from this
description. Nothing here imports falcon or performs I/O.
"""
