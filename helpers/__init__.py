r"""nn-basics helpers: the NumPy library behind the course notebooks.

One module per concept, in notebook order:

============================  ========================================================================
module                        notebook
============================  ========================================================================
``network``                   01_architecture: neurons, layers, the two-layer forward pass
``activations``               02_activations: sigmoid, tanh, ReLU, leaky ReLU, ELU, maxout
``init``                      02_activations: Xavier and He initial weights, activation sizes per layer
``losses``                    04_losses: multiclass hinge (SVM), softmax cross-entropy, triplet
``regularization``            05_regularization: L2, L1, elastic net
``gradients``                 06_gradients: numerical gradients, gradient checks, descent
``graph``                     07_backprop: a tiny scalar autograd ``Value`` and its drawing
``models``                    07/08: ``TwoLayerNet`` and linear classifiers
``train``                     08_cifar10: minibatch SGD (08's ``minibatch_sgd``), the CLI's recipes
``data``                      08_cifar10: CIFAR-10 loading, the bundled sample, preprocessing
``figure_style``              every notebook: palette, figure sizes, alt text for each figure shown
``network_figures``           01: the network drawn with its weights, universal approximation
``activation_figures``        02: activations and derivatives, gradient size per layer
``argmin_figures``            03: penalised loss of candidates, grid and local search
``loss_figures``              04: hinge and cross-entropy of one example, triplets
``image_figures``             04/08: grids of images, linear templates, first-layer weights
``regularization_figures``    05: decision boundaries, penalty contours
``gradient_figures``          06: finite-difference error, gradient cost, descent paths
``backprop_figures``          07: the backward pass one node at a time
``training_figures``          08: training and loss curves, confusion matrix, mistakes, predictions
``widgets``                   the explorer: controls wired to a figure (used by every figures module)
``testing``                   assertion helpers with student-friendly messages
``exercise``                  ``@answer``: marks the library functions that answer an exercise
============================  ========================================================================

Shape vocabulary used in every docstring:

* ``N`` examples (rows of a batch),
* ``D`` input features (3072 for a flattened 32x32x3 CIFAR-10 image),
* ``H`` hidden units,
* ``C`` classes.

Weights are stored as ``W1 (D, H)``, ``b1 (H,)``, ``W2 (H, C)``, ``b2 (C,)`` so that a batch
``X (N, D)`` maps to scores ``X @ W1 + b1`` etc.  The lecture writes the same sums per unit,
:math:`a_j = \sum_i w_{ji} x_i + w_{j0}`; ``W1[i, j]`` is the lecture's :math:`w^{(1)}_{ji}`.
Randomness always comes from an explicit ``rng: numpy.random.Generator``.
"""

__version__ = "0.1.0"
