//! HTTP search API, the coordinators' page and the embeddable widget.
