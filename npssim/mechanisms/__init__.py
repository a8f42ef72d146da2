"""The firm's weekly mechanisms, each a component the model builds from a class attribute.

The pay plan (:class:`PayPlan`, ``NPSModel.pay_class``), the survey wave (:class:`SurveyWave`,
``survey_class``) and the pricing of contracts and renewals (:class:`Pricing`,
``pricing_class``): each has public methods a subclass overrides, as the agents' rosters do
(``book_class``, ``roster_class``).
"""

from npssim.mechanisms.pay import PayPlan
from npssim.mechanisms.pricing import Pricing
from npssim.mechanisms.survey_wave import SurveyWave

__all__ = ["PayPlan", "Pricing", "SurveyWave"]
