from sensors.crawl_batch_sensor import crawl_batch_sensor

__all__ = ["crawl_batch_sensor"]
