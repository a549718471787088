/** describe(): how an error message names a value it got. */
import { expect } from 'chai';
import { describe as describeValue } from '../src/describe';

describe('describe()', () => {
  it('should name null as null, an object by its class, and anything else by its typeof', () => {
    expect(describeValue(null)).to.equal('null');
    expect(describeValue({})).to.equal('Object');
    expect(describeValue([1])).to.equal('Array');
    expect(describeValue(new Map())).to.equal('Map');
    expect(describeValue(new (class Frame {})())).to.equal('Frame');
    expect(describeValue(undefined)).to.equal('undefined');
    expect(describeValue('text')).to.equal('string');
    expect(describeValue(7)).to.equal('number');
    expect(describeValue(() => undefined)).to.equal('function');
  });

  it("should name an object without a constructor 'object' instead of throwing", () => {
    expect(describeValue(Object.create(null))).to.equal('object');
    expect(describeValue(Object.assign(Object.create(null), { constructor: {} }))).to.equal('object');
  });
});
