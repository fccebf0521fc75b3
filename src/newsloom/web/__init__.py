"""The parts of ``newsloom serve``: routes (``api``, ``pages``), the services they share
(``state``), the checks every request passes (``guards``) and the error answer (``errors``)."""
