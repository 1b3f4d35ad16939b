// unkai's test function (Node.js): the echo/error/sleep/print actions of tests/functions/python/app.py.

class BoomError extends Error {
  constructor(message) {
    super(message);
    this.name = 'BoomError'; // Lambda reports error.name as the errorType
  }
}

export const handler = async (event, context) => {
  const action = event.action ?? 'echo';
  switch (action) {
    case 'echo':
      return {
        echo: event,
        sum: (event.numbers ?? []).reduce((total, n) => total + n, 0),
        function_name: context.functionName,
        memory_limit_in_mb: parseInt(context.memoryLimitInMB, 10),
        has_request_id: Boolean(context.awsRequestId),
        remaining_positive: context.getRemainingTimeInMillis() > 0,
      };
    case 'error':
      throw new BoomError('boom');
    case 'sleep':
      await new Promise((resolve) => setTimeout(resolve, event.seconds * 1000));
      return { slept: event.seconds };
    case 'print':
      for (const line of event.lines) console.log(line);
      console.warn(`printed ${event.lines.length} lines`);
      return { printed: event.lines.length };
    default:
      throw new Error(`unknown action ${JSON.stringify(action)}`);
  }
};
