"""The cache saves work and never stops a page: when its server cannot be
reached, the value is computed as if it had never been cached."""

import logging

from django.core.cache import cache
from redis.exceptions import RedisError

logger = logging.getLogger("luckygas.cache")


def get_or_compute(key, compute, timeout):
    try:
        value = cache.get(key)
    except RedisError as error:
        logger.warning("快取無法使用，直接計算 %s：%s", key, error)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except RedisError as error:
            logger.warning("快取無法寫入 %s：%s", key, error)
    return value
